/** The security admin grants a user or an organisation access to a record, volume or fonds, and reviews and revokes grants. */
import { Alert, App, Button, Card, DatePicker, Form, Input, Radio, Select, Space, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useCreateGrant, type NewGrant, type Organisation, type User } from '../../api/accounts.js';
import { ApiError } from '../../api/client.js';
import { GrantsTable } from './grants-table.js';

interface GrantFields {
  to: 'user' | 'organisation';
  userId?: string;
  organisationId?: string;
  subjectType: NewGrant['subjectType'];
  subjectId: string;
  level: NewGrant['level'];
  expiresAt?: Dayjs | null;
}

export function GrantsCard({ users, organisations }: { users: readonly User[]; organisations: readonly Organisation[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<GrantFields>();
  const to = Form.useWatch('to', form) ?? 'user';
  const create = useCreateGrant();
  const required = [{ required: true, message: t('admin.accounts.required') }];

  return (
    <Card title={t('admin.accounts.grants')}>
      <Typography.Paragraph type="secondary">{t('admin.accounts.grantsIntro')}</Typography.Paragraph>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {create.error && <Alert type="error" showIcon title={create.error instanceof ApiError ? create.error.message : t('common.networkError')} />}
        <Form<GrantFields>
          form={form}
          layout="vertical"
          style={{ maxWidth: 560 }}
          data-testid="grant-form"
          initialValues={{ to: 'user', subjectType: 'record', level: 'catalog' }}
          onFinish={(values) => {
            const input: NewGrant = {
              subjectType: values.subjectType,
              subjectId: values.subjectId.trim(),
              level: values.level,
              expiresAt: values.expiresAt ? values.expiresAt.toISOString() : null,
              ...(values.to === 'user' ? { userId: values.userId } : { organisationId: values.organisationId }),
            };
            create.mutate(input, {
              onSuccess: ({ id }) => {
                void message.success(t('admin.accounts.granted', { id }));
                form.resetFields();
              },
            });
          }}
        >
          <Form.Item name="to" label={t('admin.accounts.grantTo')}>
            <Radio.Group
              options={[
                { value: 'user', label: t('admin.accounts.grantToUser') },
                { value: 'organisation', label: t('admin.accounts.grantToOrganisation') },
              ]}
            />
          </Form.Item>
          {to === 'user' ? (
            <Form.Item name="userId" label={t('admin.accounts.grantToUser')} rules={required}>
              <Select showSearch={{ optionFilterProp: 'label' }} options={users.map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）` }))} />
            </Form.Item>
          ) : (
            <Form.Item name="organisationId" label={t('admin.accounts.grantToOrganisation')} rules={required}>
              <Select showSearch={{ optionFilterProp: 'label' }} options={organisations.map((o) => ({ value: o.id, label: o.name }))} />
            </Form.Item>
          )}
          <Form.Item name="subjectType" label={t('admin.accounts.subjectType')} rules={required}>
            <Select
              options={(['record', 'volume', 'fonds'] as const).map((type) => ({ value: type, label: t(`admin.accounts.subjectTypes.${type}`) }))}
            />
          </Form.Item>
          <Form.Item name="subjectId" label={t('admin.accounts.subjectId')} rules={required}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="level" label={t('admin.accounts.level')} rules={required}>
            <Radio.Group options={(['catalog', 'content'] as const).map((level) => ({ value: level, label: t(`admin.accounts.levels.${level}`) }))} />
          </Form.Item>
          <Form.Item name="expiresAt" label={t('admin.accounts.expiresAt')} extra={t('admin.accounts.expiresHint')}>
            <DatePicker showTime />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={create.isPending}>
              {t('admin.accounts.grant')}
            </Button>
          </Form.Item>
        </Form>
        <GrantsTable users={users} organisations={organisations} />
      </Space>
    </Card>
  );
}
