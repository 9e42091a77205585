/** /login: username and password; the server's own message (wrong password, lockout, disabled) in an Alert. */
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Spin, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useLogin, useSession } from '../../api/auth.js';
import { ApiError } from '../../api/client.js';
import { destinationAfterSignIn } from '../../components/after-sign-in.js';
import { AuthLayout } from '../../components/auth-layout.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

interface LoginFields {
  username: string;
  password: string;
}

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const session = useSession();
  const login = useLogin();
  useDocumentTitle(t('auth.login.title'), 'portal');

  useEffect(() => {
    if (login.data) void navigate(destinationAfterSignIn(login.data, next), { replace: true });
  }, [login.data, navigate, next]);

  if (session.isPending) return <Spin fullscreen />;
  // Already signed in (e.g. the back button): carry on.
  if (session.data && !login.data) return <Navigate to={destinationAfterSignIn(session.data, next)} replace />;

  const error = login.error;
  return (
    <AuthLayout title={<span data-testid="page-title">{t('auth.login.heading')}</span>}>
      <Typography.Paragraph type="secondary">{t('auth.login.intro')}</Typography.Paragraph>
      {error && (
        <Alert
          data-testid="login-error"
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={error instanceof ApiError ? error.message : t('common.networkError')}
        />
      )}
      <Form<LoginFields>
        data-testid="login-form"
        layout="vertical"
        requiredMark={false}
        onFinish={(values) => login.mutate(values)}
        disabled={login.isPending}
      >
        <Form.Item name="username" label={t('auth.login.username')} rules={[{ required: true, whitespace: true, message: t('auth.login.usernameRequired') }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
        </Form.Item>
        <Form.Item name="password" label={t('auth.login.password')} rules={[{ required: true, message: t('auth.login.passwordRequired') }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
            {t('auth.login.submit')}
          </Button>
        </Form.Item>
      </Form>
      <Link to="/">{t('auth.login.backToPortal')}</Link>
    </AuthLayout>
  );
}
