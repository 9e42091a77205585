/**
 * /account/password: the signed-in user changes their own password; forced
 * after the first sign-in or a reset (the server refuses everything else until then).
 */
import { Alert, App, Button, Form, Input, Space, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { isStaff, useChangePassword, useSession } from '../../api/auth.js';
import { ApiError } from '../../api/client.js';
import { loginPath, safeNext } from '../../components/after-sign-in.js';
import { AuthLayout } from '../../components/auth-layout.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

interface PasswordFields {
  current: string;
  next: string;
  confirm: string;
}

export function AccountPasswordPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const session = useSession();
  const change = useChangePassword();
  useDocumentTitle(t('auth.password.title'), 'portal');

  if (session.isPending) return <Spin fullscreen />;
  if (!session.data) return <Navigate to={loginPath(`${location.pathname}${location.search}`)} replace />;

  const forced = session.data.mustChangePassword;
  const next = safeNext(params.get('next')) ?? (isStaff(session.data) ? '/admin' : '/');
  const error = change.error;

  return (
    <AuthLayout title={<span data-testid="page-title">{t('auth.password.title')}</span>}>
      {forced && <Alert data-testid="password-forced" type="warning" showIcon style={{ marginBottom: 16 }} title={t('auth.password.forced')} />}
      <Alert
        data-testid="password-policy"
        type="info"
        style={{ marginBottom: 16 }}
        title={t('auth.password.policyTitle')}
        description={t('auth.password.policy')}
      />
      {error && (
        <Alert
          data-testid="password-error"
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={error instanceof ApiError ? error.message : t('common.networkError')}
        />
      )}
      <Form<PasswordFields>
        data-testid="password-form"
        layout="vertical"
        requiredMark={false}
        disabled={change.isPending}
        onFinish={(values) =>
          change.mutate(
            { current: values.current, next: values.next },
            {
              onSuccess: () => {
                void message.success(t('auth.password.done'));
                void navigate(next, { replace: true });
              },
            },
          )
        }
      >
        <Form.Item name="current" label={t('auth.password.current')} rules={[{ required: true, message: t('auth.password.currentRequired') }]}>
          <Input.Password autoComplete="current-password" autoFocus data-testid="password-current" />
        </Form.Item>
        <Form.Item name="next" label={t('auth.password.next')} rules={[{ required: true, message: t('auth.password.nextRequired') }]}>
          <Input.Password autoComplete="new-password" data-testid="password-next" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('auth.password.confirm')}
          dependencies={['next']}
          rules={[
            { required: true, message: t('auth.password.confirmRequired') },
            ({ getFieldValue }) => ({
              validator: async (_, value) => {
                if (!value || getFieldValue('next') === value) return;
                throw new Error(t('auth.password.mismatch'));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="password-confirm" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={change.isPending} data-testid="password-submit">
            {t('auth.password.submit')}
          </Button>
          {!forced && <Button onClick={() => void navigate(next)}>{t('auth.password.cancel')}</Button>}
        </Space>
      </Form>
    </AuthLayout>
  );
}
