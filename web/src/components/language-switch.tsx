import { GlobalOutlined } from '@ant-design/icons';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { changeLanguage, currentLanguage, type Language } from '../i18n/i18n.js';

/** 中文 / English, in the header of both shells; the choice is remembered. */
export function LanguageSwitch() {
  const { t } = useTranslation();
  return (
    <Select<Language>
      data-testid="language-switch"
      aria-label={t('language.label')}
      value={currentLanguage()}
      onChange={(language) => void changeLanguage(language)}
      options={[
        { value: 'zh-CN', label: t('language.zhCN') },
        { value: 'en', label: t('language.en') },
      ]}
      prefix={<GlobalOutlined />}
      popupMatchSelectWidth={false}
      style={{ flex: 'none' }}
    />
  );
}
