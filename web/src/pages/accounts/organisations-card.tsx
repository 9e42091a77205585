/** The organisations of the installation, and for the system admin: new organisations and filing-API keys for agencies. */
import { PlusOutlined } from '@ant-design/icons';
import type { UseQueryResult } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Select, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { organisationKinds, useCreateOrganisation, type NewOrganisation, type Organisation } from '../../api/accounts.js';
import { ApiError } from '../../api/client.js';
import { QueryError } from '../../components/query-error.js';
import { ApiKeysCard } from './api-keys-card.js';

export function OrganisationsCard({ organisations, canManage }: { organisations: UseQueryResult<Organisation[]>; canManage: boolean }) {
  const { t } = useTranslation();
  // Inside the component: typing `t` as a parameter makes TypeScript expand every message key (TS2589).
  const kindLabel = (kind: string): string =>
    (organisationKinds as readonly string[]).includes(kind) ? t(`admin.accounts.kinds.${kind as (typeof organisationKinds)[number]}`) : kind;
  const [creating, setCreating] = useState(false);
  const columns: TableColumnsType<Organisation> = [
    { key: 'kind', title: t('admin.accounts.orgKind'), render: (_, o) => <Tag>{kindLabel(o.kind)}</Tag> },
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
