/** Any path neither shell knows. */
import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useDocumentTitle, type Site } from '../../components/use-document-title.js';

export interface NotFoundPageProps {
  /** Where "back" leads: the portal home or the workbench. */
  home: string;
  site: Site;
}

export function NotFoundPage({ home, site }: NotFoundPageProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  useDocumentTitle(t('common.notFoundTitle'), site);
  return (
    <Result
      status="404"
      title={t('common.notFoundTitle')}
      subTitle={t('common.notFoundText')}
      extra={
        <Button type="primary" onClick={() => void navigate(home)}>
          {t('common.backHome')}
        </Button>
      }
    />
  );
}
