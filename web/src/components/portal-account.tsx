/**
 * The portal header's account corner: 登录 for anonymous visitors; the user's
 * name and 退出 once signed in; the workbench link for staff only, never for
 * the public.
 */
import { DesktopOutlined, LoginOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { isStaff, useLogout, useSession } from '../api/auth.js';
import { loginPath } from './after-sign-in.js';

export function PortalAccount({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const location = useLocation();
  const session = useSession();
  const logout = useLogout();

  if (session.isPending) return null;
  if (!session.data) {
    const here = `${location.pathname}${location.search}`;
    return (
      <Link
        to={here === '/' ? '/login' : loginPath(here)}
        data-testid="portal-login"
        aria-label={t('auth.portal.login')}
        style={{ whiteSpace: 'nowrap', flex: 'none' }}
      >
        <LoginOutlined />
        {!compact && ` ${t('auth.portal.login')}`}
      </Link>
    );
  }
  return (
    <Space size="small" data-testid="portal-account" style={{ whiteSpace: 'nowrap' }}>
      {isStaff(session.data) && !compact && (
        <Link to="/admin" data-testid="portal-workbench-link">
          <DesktopOutlined /> {t('auth.portal.workbench')}
        </Link>
      )}
      {!compact && (
        <Typography.Text data-testid="user-name">
          <UserOutlined /> {session.data.user.displayName}
        </Typography.Text>
      )}
      <Button type="link" size="small" data-testid="portal-logout" loading={logout.isPending} onClick={() => logout.mutate(false)}>
        {t('auth.portal.logout')}
      </Button>
    </Space>
  );
}
