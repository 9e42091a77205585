/**
 * The archive workbench's frame: header, Sider menu of the function groups,
 * breadcrumb, and the demo banner above everything. The Sider shrinks to icons
 * below the lg breakpoint; on phones the menu moves into a drawer.
 */
import { DashboardOutlined, GlobalOutlined, MenuOutlined } from '@ant-design/icons';
import { Breadcrumb, Button, Drawer, Grid, Layout, Menu, theme, type MenuProps } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { DemoBanner } from '../components/demo-banner.js';
import { LanguageSwitch } from '../components/language-switch.js';
import { UserMenu } from '../components/user-menu.js';
import { adminGroups, locate } from './admin-sections.js';

const dashboardPath = '/admin';

function AdminMenu({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const { group, item } = locate(pathname);
  const [openKeys, setOpenKeys] = useState<string[]>(group ? [group.path] : []);

  // Opening a page through a link elsewhere (dashboard, breadcrumb) unfolds its group.
  useEffect(() => {
    if (group) setOpenKeys((keys) => (keys.includes(group.path) ? keys : [...keys, group.path]));
  }, [group]);

  const items: MenuProps['items'] = [
    { key: dashboardPath, icon: <DashboardOutlined />, label: <Link to={dashboardPath}>{t('admin.dashboard.title')}</Link> },
    ...adminGroups.map((candidate) => ({
      key: candidate.path,
      icon: candidate.icon,
      label: t(candidate.title),
      children: candidate.items.map((entry) => ({
        key: entry.path,
        label: <Link to={entry.path}>{t(entry.title)}</Link>,
      })),
    })),
  ];

  return (
    <Menu
      data-testid="admin-menu"
      aria-label={t('admin.menuLabel')}
      mode="inline"
      items={items}
      selectedKeys={[item?.path ?? group?.path ?? pathname]}
      openKeys={openKeys}
      onOpenChange={setOpenKeys}
      onClick={onNavigate}
      style={{ borderInlineEnd: 'none' }}
    />
  );
}

function AdminBreadcrumb() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const { group, item } = locate(pathname);
  if (!group) return null;
  return (
    <Breadcrumb
      style={{ marginBottom: 16 }}
      items={[
        { title: <Link to={dashboardPath}>{t('admin.dashboard.title')}</Link> },
        { title: item ? <Link to={group.path}>{t(group.title)}</Link> : t(group.title) },
        ...(item ? [{ title: t(item.title) }] : []),
      ]}
    />
  );
}

export function AdminShell() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const phone = screens.md !== true;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <DemoBanner />
      <Layout.Header
        data-testid="admin-header"
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: token.marginSM,
          paddingInline: phone ? token.paddingSM : token.paddingLG,
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        {phone && (
          <Button
            data-testid="admin-menu-button"
            type="text"
            icon={<MenuOutlined />}
            aria-label={t('common.openMenu')}
            aria-expanded={drawerOpen}
            onClick={() => setDrawerOpen(true)}
          />
        )}
        <Link to={dashboardPath} style={{ color: token.colorText, flex: 1, minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>
          <span data-testid="workbench-name" style={{ fontSize: token.fontSizeHeading4, fontWeight: 600, whiteSpace: 'nowrap' }}>
            {t('app.workbenchName')}
          </span>
        </Link>
        {!phone && (
          <Link to="/">
            <GlobalOutlined /> {t('admin.backToPortal')}
          </Link>
        )}
        <LanguageSwitch />
        <UserMenu />
      </Layout.Header>
      <Layout>
        {!phone && (
          <Layout.Sider
            data-testid="admin-sider"
            theme="light"
            width={220}
            breakpoint="lg"
            collapsible
            collapsed={collapsed}
            onCollapse={setCollapsed}
            style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}
          >
            <AdminMenu />
          </Layout.Sider>
        )}
        <Drawer
          title={t('app.workbenchName')}
          placement="left"
          size={280}
          open={phone && drawerOpen}
          onClose={() => setDrawerOpen(false)}
          footer={
            <Link to="/">
              <GlobalOutlined /> {t('admin.backToPortal')}
            </Link>
          }
        >
          <AdminMenu onNavigate={() => setDrawerOpen(false)} />
        </Drawer>
        <Layout.Content style={{ padding: phone ? token.paddingSM : token.paddingLG, minWidth: 0 }}>
          <AdminBreadcrumb />
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
