/** The organisations of the installation, and for the system admin: new organisations and filing-API keys for agencies. */
import { CopyOutlined, PlusOutlined } from '@ant-design/icons';
import type { UseQueryResult } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { organisationKinds, useCreateOrganisation, useIssueApiKey, useRevokeApiKey, type IssuedKey, type NewOrganisation, type Organisation } from '../../api/accounts.js';
import { ApiError } from '../../api/client.js';
import { RevokeByIdForm } from '../../components/revoke-by-id-form.js';
import { QueryError } from '../../components/query-error.js';
import { currentLanguage } from '../../i18n/i18n.js';

function kindLabel(t: ReturnType<typeof useTranslation>['t'], kind: string): string {
  return (organisationKinds as readonly string[]).includes(kind) ? t(`admin.accounts.kinds.${kind as (typeof organisationKinds)[number]}`) : kind;
}

export function OrganisationsCard({ organisations, canManage }: { organisations: UseQueryResult<Organisation[]>; canManage: boolean }) {
  const { t } = useTranslation();
  const [creating, setCreating] = useState(false);
  const columns: TableColumnsType<Organisation> = [
    { key: 'kind', title: t('admin.accounts.orgKind'), render: (_, o) => <Tag>{kindLabel(t, o.kind)}</Tag> },
    { key: 'code', dataIndex: 'code', title: t('admin.accounts.orgCode') },
    { key: 'name', dataIndex: 'name', title: t('admin.accounts.orgName') },
    {
      key: 'status',
      title: t('admin.accounts.status'),
      render: (_, o) => (o.disabled ? <Tag color="error">{t('admin.accounts.disabled')}</Tag> : <Tag color="success">{t('admin.accounts.active')}</Tag>),
    },
  ];
  return (
    <>
      <Card
        title={t('admin.accounts.organisations')}
        extra={
          canManage && (
            <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('admin.accounts.createOrganisation')}
            </Button>
          )
        }
      >
        {organisations.error && <QueryError error={organisations.error} onRetry={() => void organisations.refetch()} />}
        <Table<Organisation>
          data-testid="organisation-table"
          rowKey="id"
          size="small"
          loading={organisations.isPending}
          columns={columns}
          dataSource={organisations.data ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
        />
      </Card>
      {canManage && <ApiKeysCard agencies={(organisations.data ?? []).filter((o) => o.kind === 'agency' && !o.disabled)} />}
      {creating && <CreateOrganisationModal onClose={() => setCreating(false)} />}
    </>
  );
}

function CreateOrganisationModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<NewOrganisation>();
  const create = useCreateOrganisation();
  const required = [{ required: true, message: t('admin.accounts.required') }];
  return (
    <Modal open title={t('admin.accounts.createOrganisation')} confirmLoading={create.isPending} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      {create.error && <Typography.Paragraph type="danger">{create.error instanceof ApiError ? create.error.message : t('common.networkError')}</Typography.Paragraph>}
      <Form<NewOrganisation>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'agency' }}
        onFinish={(values) =>
          create.mutate(
            { kind: values.kind, code: values.code ? values.code : null, name: values.name },
            {
              onSuccess: () => {
                void message.success(t('admin.accounts.organisationCreated', { name: values.name }));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="kind" label={t('admin.accounts.orgKind')} rules={required}>
          <Select options={organisationKinds.map((kind) => ({ value: kind, label: t(`admin.accounts.kinds.${kind}`) }))} />
        </Form.Item>
        <Form.Item name="code" label={t('admin.accounts.orgCode')}>
          <Input maxLength={32} />
        </Form.Item>
        <Form.Item name="name" label={t('admin.accounts.orgName')} rules={required}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface KeyFields {
  organisationId: string;
  name: string;
  days: number;
}

function ApiKeysCard({ agencies }: { agencies: readonly Organisation[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<KeyFields>();
  const issue = useIssueApiKey();
  const revoke = useRevokeApiKey();
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
        <RevokeByIdForm label={t('admin.accounts.keyId')} button={t('admin.accounts.revokeKey')} success={(id) => t('admin.accounts.revokedKey', { id })} revoke={revoke} />
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
