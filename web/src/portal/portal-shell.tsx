/**
 * The public portal's frame: header with the site name, navigation and
 * language switch, the demo banner above it. Below the md breakpoint (phones)
 * the navigation moves into a drawer opened by the hamburger button.
 */
import { MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Menu, theme, type MenuProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { useMeta } from '../api/meta.js';
import { DemoBanner } from '../components/demo-banner.js';
import { LanguageSwitch } from '../components/language-switch.js';
import { PortalAccount } from '../components/portal-account.js';
import { portalSections, sectionOf } from './portal-sections.js';

export function PortalShell() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const compact = screens.md !== true;
  const [drawerOpen, setDrawerOpen] = useState(false);
  const { pathname } = useLocation();
  const meta = useMeta();

  const selected = sectionOf(pathname)?.path;
  const items: MenuProps['items'] = portalSections.map((section) => ({
    key: section.path,
    icon: section.icon,
    label: <Link to={section.path}>{t(section.title)}</Link>,
  }));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <DemoBanner />
      <Layout.Header
        data-testid="portal-header"
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: token.marginSM,
          paddingInline: compact ? token.paddingSM : token.paddingLG,
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        {compact && (
          <Button
            data-testid="portal-menu-button"
            type="text"
            icon={<MenuOutlined />}
            aria-label={t('common.openMenu')}
            aria-expanded={drawerOpen}
            onClick={() => setDrawerOpen(true)}
          />
        )}
        <Link to="/" style={{ color: token.colorText, flex: compact ? 1 : 'none', minWidth: 0 }}>
          <span data-testid="site-name" style={{ fontSize: token.fontSizeHeading4, fontWeight: 600, whiteSpace: 'nowrap' }}>
            {t('app.portalName')}
          </span>
        </Link>
        {!compact && (
          <Menu
            data-testid="portal-nav"
            aria-label={t('portal.navLabel')}
            mode="horizontal"
            items={items}
            selectedKeys={selected ? [selected] : []}
            style={{ flex: 1, minWidth: 0, borderBottom: 'none' }}
          />
        )}
        <LanguageSwitch />
        <PortalAccount compact={compact} />
      </Layout.Header>
      <Drawer title={t('common.menu')} placement="left" size={280} open={compact && drawerOpen} onClose={() => setDrawerOpen(false)}>
        <Menu
          data-testid="portal-drawer-nav"
          aria-label={t('portal.navLabel')}
          mode="inline"
          items={items}
          selectedKeys={selected ? [selected] : []}
          onClick={() => setDrawerOpen(false)}
          style={{ borderInlineEnd: 'none' }}
        />
      </Drawer>
      <Layout.Content
        style={{ width: '100%', maxWidth: 1200, margin: '0 auto', padding: compact ? token.paddingSM : token.paddingLG }}
      >
        <Outlet />
      </Layout.Content>
      <Layout.Footer style={{ textAlign: 'center', color: token.colorTextSecondary }}>
        {t('portal.footer')}
        {meta.data && ` · ${t('portal.version', { version: meta.data.version })}`}
      </Layout.Footer>
    </Layout>
  );
}
