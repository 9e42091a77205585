/** The workbench opened by someone signed in without a staff role (public, government or agency user). */
import { Button, Result, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useLogout } from '../../api/auth.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function ForbiddenPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const logout = useLogout();
  useDocumentTitle(t('auth.forbidden.title'), 'workbench');
  return (
    <Result
      data-testid="forbidden"
      status="403"
      title={t('auth.forbidden.text')}
      subTitle={t('auth.forbidden.hint')}
      extra={
        <Space>
          <Button type="primary" onClick={() => void navigate('/')}>
            {t('auth.forbidden.backToPortal')}
          </Button>
          <Button loading={logout.isPending} onClick={() => logout.mutate(false, { onSuccess: () => void navigate('/login') })}>
            {t('auth.user.logout')}
          </Button>
        </Space>
      }
    />
  );
}
