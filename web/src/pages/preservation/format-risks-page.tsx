/**
 * 保存 › 格式风险: the formats held (PRONOM, or MIME type for OFD) with their files,
 * bytes and fonds; archivists mark a format 正常, 关注 or 高风险 with a note (the server
 * audits it), and everyone who reads records sees the holdings in formats at risk that
 * they may see. The system admin reads the registry only.
 */
import { App, Button, Card, Form, Input, Modal, Radio, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/auth.js';
import { formatRiskStatuses, useFormatRegistry, useSetFormatRisk, type FormatEntry, type FormatRiskStatus } from '../../api/preservation-dashboard.js';
import { QueryError } from '../../components/query-error.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { formatBytes } from '../transfers/format-bytes.js';
import { FormatHoldings } from './format-holdings.js';
import { RiskTag } from './risk-tag.js';

const HOLDINGS_ROLES = ['archivist', 'reading_room', 'approver', 'agency_clerk'];

interface RiskFields {
  status: FormatRiskStatus;
  note?: string;
}

function SetRiskModal({ entry, label, onClose }: { entry: FormatEntry; label: string; onClose: () => void }) {
  const { t } = useTranslation('preservation');
  const { message } = App.useApp();
  const [form] = Form.useForm<RiskFields>();
  const setRisk = useSetFormatRisk();
  const submit = (values: RiskFields) =>
    setRisk.mutate(
      { format: entry.format, status: values.status, note: values.note?.trim() ? values.note.trim() : null },
      {
        onSuccess: () => {
          void message.success(t('formats.saved'));
          onClose();
        },
      },
    );
  return (
    <Modal
      open
      title={t('formats.setTitle', { format: label })}
      okText={t('formats.submit')}
      cancelText={t('formats.cancel')}
      okButtonProps={{ 'data-testid': 'risk-submit' }}
      confirmLoading={setRisk.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {setRisk.error && <QueryError error={setRisk.error} />}
        <Form<RiskFields> form={form} layout="vertical" initialValues={{ status: entry.status, note: entry.note ?? '' }} onFinish={submit} data-testid="risk-form">
          <Form.Item name="status" label={t('formats.status')}>
            <Radio.Group optionType="button" buttonStyle="solid" options={formatRiskStatuses.map((s) => ({ value: s, label: t(`status.${s}`), 'data-testid': `risk-status-${s}` }))} />
          </Form.Item>
          <Form.Item name="note" label={t('formats.note')}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={1000} placeholder={t('formats.notePlaceholder')} data-testid="risk-note" />
          </Form.Item>
        </Form>
      </Space>
    </Modal>
  );
}

export function FormatRisksPage() {
  const { t } = useTranslation();
  const { t: tp } = useTranslation('preservation');
  const title = t('admin.groups.preserve.items.formats.title');
  useDocumentTitle(title, 'workbench');
  const session = useSession();
  const roles = session.data?.user.roles ?? [];
  const isArchivist = roles.includes('archivist');
  const readsHoldings = roles.some((r) => HOLDINGS_ROLES.includes(r));
  const registry = useFormatRegistry();
  const [editing, setEditing] = useState<FormatEntry | null>(null);

  const label = (f: Pick<FormatEntry, 'format' | 'name' | 'version'>) => {
    if (f.format === 'unidentified') return tp('formats.unidentified');
    if (!f.name) return f.format;
    return f.version && !f.name.includes(f.version) ? `${f.name} ${f.version}` : f.name;
  };
  const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString(currentLanguage()) : '');

  const columns: TableColumnsType<FormatEntry> = [
    { key: 'format', title: tp('formats.format'), render: (_, f) => <Typography.Text code>{f.format}</Typography.Text>, fixed: 'left' },
    { key: 'name', title: tp('formats.name'), render: (_, f) => label(f) },
    { key: 'files', title: tp('formats.files'), render: (_, f) => (f.files === 0 ? <Typography.Text type="secondary">{tp('formats.notHeld')}</Typography.Text> : f.files), sorter: (a, b) => a.files - b.files },
    { key: 'bytes', title: tp('formats.bytes'), render: (_, f) => formatBytes(f.bytes), sorter: (a, b) => a.bytes - b.bytes },
    { key: 'status', title: tp('formats.status'), render: (_, f) => <RiskTag status={f.status} /> },
    { key: 'note', title: tp('formats.note'), render: (_, f) => f.note && <Typography.Text style={{ maxWidth: 280 }} ellipsis={{ tooltip: f.note }}>{f.note}</Typography.Text> },
    {
      key: 'setBy',
      title: tp('formats.setBy'),
      render: (_, f) =>
        f.setBy && (
          <Space orientation="vertical" size={0}>
            <Typography.Text type="secondary">{f.setBy}</Typography.Text>
            <Typography.Text type="secondary">{time(f.setAt)}</Typography.Text>
          </Space>
        ),
    },
    ...(isArchivist
      ? [{ key: 'action', fixed: 'right' as const, render: (_: unknown, f: FormatEntry) => <Button size="small" onClick={() => setEditing(f)} data-testid={`format-set-${f.format}`}>{tp('formats.set')}</Button> }]
      : []),
  ];
  const fondsColumns: TableColumnsType<FormatEntry['byFonds'][number]> = [
    { key: 'fonds', title: tp('formats.fonds'), render: (_, b) => `${b.fondsCode} ${b.fondsName}` },
    { key: 'files', dataIndex: 'files', title: tp('formats.files') },
    { key: 'bytes', title: tp('formats.bytes'), render: (_, b) => formatBytes(b.bytes) },
  ];

  const data = registry.data;
  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{tp('formats.intro')}</Typography.Paragraph>
      {registry.error ? (
        <RefusedOrError error={registry.error} onRetry={() => void registry.refetch()} />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Card
            size="small"
            loading={registry.isPending}
            title={data && tp('formats.total', { count: data.formats.filter((f) => f.files > 0).length, files: data.totals.files, size: formatBytes(data.totals.bytes) })}
            extra={!isArchivist && <Typography.Text type="secondary">{tp('formats.readOnly')}</Typography.Text>}
          >
            <Table<FormatEntry>
              data-testid="format-registry"
              rowKey="format"
              size="small"
              columns={columns}
              dataSource={data?.formats ?? []}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              scroll={{ x: 'max-content' }}
              onRow={(f) => ({ 'data-testid': `format-row-${f.format}`, 'data-status': f.status }) as React.HTMLAttributes<HTMLElement>}
              expandable={{
                rowExpandable: (f) => f.byFonds.length > 0,
                expandedRowRender: (f) => <Table rowKey="fondsId" size="small" pagination={false} columns={fondsColumns} dataSource={f.byFonds} />,
              }}
            />
          </Card>
          {readsHoldings && data && <FormatHoldings judged={data.formats.filter((f) => f.status !== 'ok')} label={label} />}
        </Space>
      )}
      {editing && <SetRiskModal entry={editing} label={label(editing)} onClose={() => setEditing(null)} />}
    </>
  );
}
