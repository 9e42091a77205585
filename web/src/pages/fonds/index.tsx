/**
 * 全宗管理: the fonds of the archive, each tied to its filing agency (立档单位), and
 * per fonds the organisation (问题) codes used in archival codes. Archivists create;
 * everyone on the workbench may look.
 */
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAddOrgCode, useAgencies, useCreateFonds, useFonds, useOrgCodes, type Fonds, type NewFonds } from '../../api/catalog.js';
import { ApiError } from '../../api/client.js';
import { QueryError } from '../../components/query-error.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { currentLanguage } from '../../i18n/i18n.js';

export function FondsPage() {
  const { t } = useTranslation();
  const title = t('admin.groups.arrange.items.fonds.title');
  useDocumentTitle(title, 'workbench');
  const fonds = useFonds();
  const [creating, setCreating] = useState(false);
  const columns: TableColumnsType<Fonds> = [
    { key: 'code', dataIndex: 'code', title: t('admin.catalog.fonds.code') },
    { key: 'name', dataIndex: 'name', title: t('admin.catalog.fonds.name') },
    { key: 'agency', dataIndex: 'agencyName', title: t('admin.catalog.fonds.agency') },
    { key: 'createdAt', title: t('admin.catalog.fonds.createdAt'), render: (_, f) => new Date(f.createdAt).toLocaleDateString(currentLanguage()) },
  ];
  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.catalog.fonds.intro')}</Typography.Paragraph>
      {fonds.error ? (
        <RefusedOrError error={fonds.error} onRetry={() => void fonds.refetch()} />
      ) : (
        <Card
          title={t('admin.catalog.fields.fonds')}
          extra={
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="fonds-create">
              {t('admin.catalog.fonds.create')}
            </Button>
          }
        >
          <Table<Fonds>
            data-testid="fonds-table"
            rowKey="id"
            size="small"
            loading={fonds.isPending}
            columns={columns}
            dataSource={fonds.data ?? []}
            locale={{ emptyText: t('admin.catalog.fonds.empty') }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            expandable={{ expandedRowRender: (f) => <OrgCodes fonds={f} /> }}
            onRow={(f) => ({ 'data-testid': `fonds-row-${f.code}` }) as React.HTMLAttributes<HTMLElement>}
          />
        </Card>
      )}
      {creating && <CreateFondsModal onClose={() => setCreating(false)} />}
    </>
  );
}

function CreateFondsModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<NewFonds>();
  const agencies = useAgencies();
  const create = useCreateFonds();
  const required = (label: string) => [{ required: true, whitespace: true, message: t('admin.catalog.form.required', { label }) }];
  return (
    <Modal
      open
      title={t('admin.catalog.fonds.create')}
      okText={t('admin.catalog.fonds.create')}
      confirmLoading={create.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'fonds-create-submit' }}
      destroyOnHidden
    >
      {create.error && (
        <Typography.Paragraph type="danger" data-testid="fonds-create-error">
          {create.error instanceof ApiError ? create.error.message : t('common.networkError')}
        </Typography.Paragraph>
      )}
      {agencies.error && <QueryError error={agencies.error} />}
      <Form<NewFonds>
        form={form}
        layout="vertical"
        onFinish={(values) =>
          create.mutate(
            { ...values, code: values.code.trim(), history: values.history?.trim() || null },
            {
              onSuccess: () => {
                void message.success(t('admin.catalog.fonds.created', { code: values.code, name: values.name }));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="code" label={t('admin.catalog.fonds.code')} rules={[...required(t('admin.catalog.fonds.code')), { pattern: /^\s*[A-Za-z0-9]{4}\s*$/, message: t('admin.catalog.fonds.codeRule') }]}>
          <Input maxLength={12} placeholder="J001" data-testid="fonds-code" />
        </Form.Item>
        <Form.Item name="name" label={t('admin.catalog.fonds.name')} rules={required(t('admin.catalog.fonds.name'))}>
          <Input maxLength={200} data-testid="fonds-name" />
        </Form.Item>
        <Form.Item name="agencyId" label={t('admin.catalog.fonds.agency')} rules={[{ required: true, message: t('admin.catalog.form.choose', { label: t('admin.catalog.fonds.agency') }) }]}>
          <Select
            loading={agencies.isPending}
            showSearch={{ optionFilterProp: 'label' }}
            options={(agencies.data ?? []).map((a) => ({ value: a.id, label: a.code ? `${a.code} ${a.name}` : a.name }))}
            data-testid="fonds-agency"
          />
        </Form.Item>
        <Form.Item name="history" label={t('admin.catalog.fonds.history')}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} maxLength={20000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function OrgCodes({ fonds }: { fonds: Fonds }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const codes = useOrgCodes(fonds.id);
  const add = useAddOrgCode();
  const [form] = Form.useForm<{ code: string; name: string }>();
  return (
    <Space orientation="vertical" size="small" style={{ width: '100%' }}>
      <Typography.Text strong>{t('admin.catalog.fonds.orgCodes')}</Typography.Text>
      {codes.error && <QueryError error={codes.error} onRetry={() => void codes.refetch()} />}
      <div>
        {(codes.data ?? []).length === 0 ? (
          <Typography.Text type="secondary">{t('admin.catalog.fonds.noOrgCodes')}</Typography.Text>
        ) : (
          (codes.data ?? []).map((c) => <Tag key={c.id}>{`${c.code} ${c.name}`}</Tag>)
        )}
      </div>
      {add.error && <Typography.Text type="danger">{add.error instanceof ApiError ? add.error.message : t('common.networkError')}</Typography.Text>}
      <Form
        form={form}
        layout="inline"
        onFinish={(values) =>
          add.mutate(
            { fondsId: fonds.id, code: values.code.trim(), name: values.name.trim() },
            {
              onSuccess: () => {
                void message.success(t('admin.catalog.fonds.orgCodeAdded', { code: values.code }));
                form.resetFields();
              },
            },
          )
        }
      >
        <Form.Item name="code" label={t('admin.catalog.fonds.orgCode')} rules={[{ required: true, pattern: /^\s*[A-Za-z0-9]{1,10}\s*$/, message: t('admin.catalog.fonds.orgCodeRule') }]}>
          <Input maxLength={10} style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="name" label={t('admin.catalog.fonds.orgName')} rules={[{ required: true, whitespace: true, message: t('admin.catalog.form.required', { label: t('admin.catalog.fonds.orgName') }) }]}>
          <Input maxLength={100} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" loading={add.isPending}>
            {t('admin.catalog.fonds.addOrgCode')}
          </Button>
        </Form.Item>
      </Form>
    </Space>
  );
}
