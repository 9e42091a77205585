/**
 * 访问策略: the settings the security admin alone sets — whether government and
 * registered public users see the catalog (never the content) of controlled
 * records without a grant, the password minimum length, and the idle timeout.
 * The server audits every change and applies it at each user's next request.
 */
import { Alert, App, Button, Card, Form, InputNumber, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { PASSWORD_MIN_LENGTH, SESSION_IDLE_MINUTES, useAccessPolicy, useSetAccessPolicy, type AccessPolicy } from '../../api/access-policy.js';
import { ApiError } from '../../api/client.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { QueryError } from '../../components/query-error.js';

export function AccessPolicyCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const policy = useAccessPolicy(true);
  const save = useSetAccessPolicy();
  const [form] = Form.useForm<AccessPolicy>();
  const data = policy.data;

  return (
    <Card title={t('admin.accounts.policy.title')} data-testid="access-policy-card">
      <Typography.Paragraph type="secondary">{t('admin.accounts.policy.intro')}</Typography.Paragraph>
      {policy.error && <QueryError error={policy.error} onRetry={() => void policy.refetch()} />}
      {save.error && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={save.error instanceof ApiError ? save.error.message : t('common.networkError')} />}
      {data && (
        <Form<AccessPolicy>
          form={form}
          layout="vertical"
          style={{ maxWidth: 640 }}
          data-testid="access-policy-form"
          initialValues={{
            controlledCatalogForGovernment: data.controlledCatalogForGovernment,
            controlledCatalogForPublic: data.controlledCatalogForPublic,
            passwordMinLength: data.passwordMinLength,
            sessionIdleMinutes: data.sessionIdleMinutes,
          }}
          onFinish={(values) =>
            save.mutate(
              { ...values, sessionIdleMinutes: values.sessionIdleMinutes ?? null },
              { onSuccess: () => void message.success(t('admin.accounts.policy.saved')) },
            )
          }
        >
          <Form.Item name="controlledCatalogForGovernment" label={t('admin.accounts.policy.governmentCatalog')} extra={t('admin.accounts.policy.governmentCatalogHint')} valuePropName="checked">
            <Switch data-testid="policy-government-catalog" />
          </Form.Item>
          <Form.Item name="controlledCatalogForPublic" label={t('admin.accounts.policy.publicCatalog')} extra={t('admin.accounts.policy.publicCatalogHint')} valuePropName="checked">
            <Switch data-testid="policy-public-catalog" />
          </Form.Item>
          <Form.Item
            name="passwordMinLength"
            label={t('admin.accounts.policy.passwordMinLength')}
            extra={t('admin.accounts.policy.passwordMinLengthHint', PASSWORD_MIN_LENGTH)}
            rules={[{ required: true, message: t('admin.accounts.required') }]}
          >
            <InputNumber min={PASSWORD_MIN_LENGTH.min} max={PASSWORD_MIN_LENGTH.max} precision={0} data-testid="policy-password-min-length" />
          </Form.Item>
          <Form.Item
            name="sessionIdleMinutes"
            label={t('admin.accounts.policy.sessionIdle')}
            extra={t('admin.accounts.policy.sessionIdleHint', { minutes: data.configuredSessionIdleMinutes, ...SESSION_IDLE_MINUTES })}
          >
            <InputNumber min={SESSION_IDLE_MINUTES.min} max={SESSION_IDLE_MINUTES.max} precision={0} suffix={t('admin.accounts.policy.minutes')} placeholder={String(data.configuredSessionIdleMinutes)} data-testid="policy-session-idle" />
          </Form.Item>
          <Typography.Paragraph type="secondary" data-testid="access-policy-updated">
            {data.updatedAt
              ? t('admin.accounts.policy.updated', { by: data.updatedBy ?? '—', at: new Date(data.updatedAt).toLocaleString(currentLanguage()) })
              : t('admin.accounts.policy.neverUpdated')}
          </Typography.Paragraph>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="access-policy-save">
            {t('admin.accounts.policy.save')}
          </Button>
        </Form>
      )}
    </Card>
  );
}
