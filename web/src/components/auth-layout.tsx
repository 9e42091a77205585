/** The frame of the sign-in pages: demo banner, site name, language switch and one centred card. */
import { Card, Layout, theme } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { DemoBanner } from './demo-banner.js';
import { LanguageSwitch } from './language-switch.js';

export function AuthLayout({ title, children }: { title: ReactNode; children: ReactNode }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <DemoBanner />
      <Layout.Header
        data-testid="auth-header"
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: token.marginSM,
          paddingInline: token.paddingLG,
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        <Link to="/" style={{ color: token.colorText, flex: 1, minWidth: 0 }}>
          <span data-testid="site-name" style={{ fontSize: token.fontSizeHeading4, fontWeight: 600, whiteSpace: 'nowrap' }}>
            {t('app.portalName')}
          </span>
        </Link>
        <LanguageSwitch />
      </Layout.Header>
      <Layout.Content style={{ display: 'flex', justifyContent: 'center', padding: token.paddingLG }}>
        <Card title={title} style={{ width: '100%', maxWidth: 440, alignSelf: 'flex-start', marginTop: token.marginXL }}>
          {children}
        </Card>
      </Layout.Content>
    </Layout>
  );
}
