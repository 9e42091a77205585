/** The system admin's filing-API keys: issue one to an agency (shown once), list them all, revoke one. */
import { CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiKeys, useIssueApiKey, useRevokeApiKey, type ApiKeyView, type IssuedKey, type Organisation } from '../../api/accounts.js';
import { ApiError } from '../../api/client.js';
import { QueryError } from '../../components/query-error.js';
import { currentLanguage } from '../../i18n/i18n.js';

const STATUS_COLOURS = { active: 'success', expired: 'default', revoked: 'error' } as const;

interface KeyFields {
  organisationId: string;
  name: string;
  days: number;
}

export function ApiKeysCard({ agencies }: { agencies: readonly Organisation[] }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<KeyFields>();
  const issue = useIssueApiKey();
  const [issued, setIssued] = useState<IssuedKey | null>(null);
  const required = [{ required: true, message: t('admin.accounts.required') }];
  return (
    <Card title={t('admin.accounts.apiKeys')}>
      <Typography.Paragraph type="secondary">{t('admin.accounts.apiKeysIntro')}</Typography.Paragraph>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {issue.error && <Alert type="error" showIcon title={issue.error instanceof ApiError ? issue.error.message : t('common.networkError')} />}
        <Form<KeyFields>
          form={form}
          layout="inline"
          initialValues={{ days: 365 }}
          onFinish={(values) =>
            issue.mutate(values, {
              onSuccess: (key) => {
                setIssued(key);
                form.resetFields();
              },
            })
          }
        >
          <Form.Item name="organisationId" label={t('admin.accounts.keyAgency')} rules={required}>
            <Select style={{ minWidth: 200 }} options={agencies.map((o) => ({ value: o.id, label: o.name }))} />
          </Form.Item>
          <Form.Item name="name" label={t('admin.accounts.keyName')} rules={required}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="days" label={t('admin.accounts.keyDays')} rules={required}>
            <InputNumber min={1} max={366} precision={0} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={issue.isPending}>
              {t('admin.accounts.issueKey')}
            </Button>
          </Form.Item>
        </Form>
        <ApiKeysTable />
      </Space>
      <Modal
        open={issued !== null}
        title={t('admin.accounts.issuedTitle')}
        onCancel={() => setIssued(null)}
        footer={
          <Button type="primary" onClick={() => setIssued(null)}>
            {t('common.close')}
          </Button>
        }
        destroyOnHidden
      >
        {issued && (
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Alert type="warning" showIcon title={t('admin.accounts.issuedWarning')} />
            <Descriptions
              column={1}
              bordered
              size="small"
              items={[
                { key: 'id', label: t('admin.accounts.keyId'), children: <Typography.Text copyable>{issued.id}</Typography.Text> },
                {
                  key: 'key',
                  label: t('admin.accounts.keyValue'),
                  children: (
                    <Typography.Text code copyable={{ icon: <CopyOutlined /> }} data-testid="issued-key">
                      {issued.key}
                    </Typography.Text>
                  ),
                },
                { key: 'expires', label: t('admin.accounts.keyExpires'), children: new Date(issued.expiresAt).toLocaleString(currentLanguage()) },
              ]}
            />
          </Space>
        )}
      </Modal>
    </Card>
  );
}

function ApiKeysTable() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const when = (iso: string) => new Date(iso).toLocaleString(currentLanguage());
  const columns: TableColumnsType<ApiKeyView> = [
    { key: 'name', dataIndex: 'name', title: t('admin.accounts.keyName') },
    { key: 'agency', dataIndex: 'organisationName', title: t('admin.accounts.keyAgency') },
    {
      key: 'created',
      title: t('admin.accounts.keyCreated'),
      render: (_, k) => (
        <Space orientation="vertical" size={0}>
          {when(k.createdAt)}
          <Typography.Text type="secondary">{k.createdBy.username ?? k.createdBy.id}</Typography.Text>
        </Space>
      ),
    },
    { key: 'expires', title: t('admin.accounts.keyExpires'), render: (_, k) => when(k.expiresAt) },
    { key: 'lastUsed', title: t('admin.accounts.keyLastUsed'), render: (_, k) => (k.lastUsedAt ? when(k.lastUsedAt) : <Typography.Text type="secondary">{t('admin.accounts.keyNeverUsed')}</Typography.Text>) },
    { key: 'status', title: t('admin.accounts.status'), render: (_, k) => <Tag color={STATUS_COLOURS[k.status]}>{t(`admin.accounts.keyStatuses.${k.status}`)}</Tag> },
    {
      key: 'actions',
      title: t('admin.accounts.actions'),
      render: (_, k) =>
        k.status === 'revoked' ? null : (
          <Popconfirm
            title={t('admin.accounts.revokeKeyConfirm', { name: k.name })}
            onConfirm={() =>
              revoke.mutateAsync(k.id).then(
                () => void message.success(t('admin.accounts.revokedKey', { name: k.name })),
                (error: unknown) => void message.error(error instanceof ApiError ? error.message : t('common.networkError')),
              )
            }
          >
            <Button size="small" danger data-testid={`api-key-revoke-${k.id}`}>
              {t('admin.accounts.revokeKey')}
            </Button>
          </Popconfirm>
        ),
    },
  ];
  return (
    <>
      {keys.error && <QueryError error={keys.error} onRetry={() => void keys.refetch()} />}
      <Table<ApiKeyView>
        data-testid="api-key-table"
        rowKey="id"
        size="small"
        loading={keys.isPending}
        columns={columns}
        dataSource={keys.data ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onRow={(k) => ({ 'data-testid': `api-key-row-${k.id}` }) as React.HTMLAttributes<HTMLElement>}
      />
    </>
  );
}
