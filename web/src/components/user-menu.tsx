/** The signed-in user's name in the workbench header, with 修改密码, 退出登录 and 退出所有设备. */
import { DownOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { App, Button, Dropdown, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useLogout, useSession } from '../api/auth.js';

export function UserMenu() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const session = useSession();
  const logout = useLogout();
  if (!session.data) return null;

  const items: MenuProps['items'] = [
    { key: 'password', icon: <KeyOutlined />, label: t('auth.user.changePassword') },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('auth.user.logout') },
    { key: 'logout-everywhere', icon: <LogoutOutlined />, label: t('auth.user.logoutEverywhere'), danger: true },
  ];
  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key === 'password') {
      void navigate(`/account/password?next=${encodeURIComponent(`${location.pathname}${location.search}`)}`);
      return;
    }
    const everywhere = key === 'logout-everywhere';
    logout.mutate(everywhere, {
      onSuccess: () => {
        if (everywhere) void message.success(t('auth.user.loggedOutEverywhere'));
        void navigate('/login', { replace: true });
      },
    });
  };

  return (
    <Dropdown menu={{ items, onClick }} trigger={['click']}>
      <Button type="text" data-testid="user-menu" aria-label={t('auth.user.menuLabel')} loading={logout.isPending} icon={<UserOutlined />}>
        <span data-testid="user-name">{session.data.user.displayName}</span> <DownOutlined />
      </Button>
    </Dropdown>
  );
}
