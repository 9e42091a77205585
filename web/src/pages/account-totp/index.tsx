/** /account/totp: the second factor, either the code check of an enrolled user or the enrolment with a QR code. */
import { Alert, Button, Form, Image, Input, Spin, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { isStaff, useSession, useTotpEnrol, useTotpVerify } from '../../api/auth.js';
import { ApiError } from '../../api/client.js';
import { destinationAfterSignIn, loginPath, safeNext } from '../../components/after-sign-in.js';
import { AuthLayout } from '../../components/auth-layout.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function AccountTotpPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const session = useSession();
  const enrol = useTotpEnrol();
  const verify = useTotpVerify();
  const enrolling = session.data?.secondFactor === 'enrol';
  useDocumentTitle(enrolling ? t('auth.totp.enrolTitle') : t('auth.totp.verifyTitle'), 'portal');

  const { mutate: startEnrol, isIdle: enrolIdle } = enrol;
  useEffect(() => {
    if (enrolling && enrolIdle) startEnrol();
  }, [enrolling, enrolIdle, startEnrol]);

  if (session.isPending) return <Spin fullscreen />;
  if (!session.data) return <Navigate to={loginPath(`${location.pathname}${location.search}`)} replace />;
  const step = session.data.secondFactor;
  if (step !== 'verify' && step !== 'enrol') {
    return <Navigate to={destinationAfterSignIn(session.data, params.get('next'))} replace />;
  }
  const next = safeNext(params.get('next')) ?? (isStaff(session.data) ? '/admin' : '/');
  const error = enrol.error ?? verify.error;

  return (
    <AuthLayout title={<span data-testid="page-title">{enrolling ? t('auth.totp.enrolTitle') : t('auth.totp.verifyTitle')}</span>}>
      <Typography.Paragraph>{enrolling ? t('auth.totp.enrolIntro') : t('auth.totp.verifyIntro')}</Typography.Paragraph>
      {enrolling && enrol.isPending && <Spin />}
      {enrolling && enrol.data && (
        <>
          <div style={{ textAlign: 'center' }}>
            <Image src={enrol.data.qrDataUrl} alt={t('auth.totp.qrAlt')} width={200} preview={false} data-testid="totp-qr" />
          </div>
          <Typography.Paragraph type="secondary">{t('auth.totp.manual')}</Typography.Paragraph>
          <Typography.Paragraph copyable code style={{ wordBreak: 'break-all' }}>
            {enrol.data.uri}
          </Typography.Paragraph>
        </>
      )}
      {error && (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} title={error instanceof ApiError ? error.message : t('common.networkError')} />
      )}
      <Form<{ code: string }>
        layout="vertical"
        requiredMark={false}
        disabled={verify.isPending}
        onFinish={({ code }) =>
          verify.mutate(code.trim(), {
            onSuccess: () => {
              void session.refetch().then((result) => {
                void navigate(result.data ? destinationAfterSignIn(result.data, next) : next, { replace: true });
              });
            },
          })
        }
      >
        <Form.Item name="code" label={t('auth.totp.code')} rules={[{ required: true, pattern: /^\s*\d{6}\s*$/, message: t('auth.totp.codeRequired') }]}>
          <Input inputMode="numeric" autoComplete="one-time-code" maxLength={8} autoFocus data-testid="totp-code" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={verify.isPending}>
          {t('auth.totp.submit')}
        </Button>
      </Form>
    </AuthLayout>
  );
}
