import { Alert, ConfigProvider, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMeta } from '../api/meta.js';

/**
 * The red 演示环境 bar at the top of both shells of a demo installation
 * (DESIGN.md "Demo vs real"), so nobody mistakes it for the real archive.
 */
export function DemoBanner() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const meta = useMeta();
  if (meta.data?.demo !== true) return null;
  return (
    <div data-testid="demo-banner">
      {/* A solid red bar rather than the pale error tint: it must be impossible to miss. */}
      <ConfigProvider
        theme={{
          components: {
            Alert: {
              colorErrorBg: token.colorError,
              colorErrorBorder: token.colorError,
              colorError: token.colorWhite,
              colorText: token.colorWhite,
              colorTextHeading: token.colorWhite,
            },
          },
        }}
      >
        <Alert
          banner
          type="error"
          showIcon
          title={
            <span>
              <strong>{t('demo.title')}</strong> {t('demo.description')}
            </span>
          }
        />
      </ConfigProvider>
    </div>
  );
}
