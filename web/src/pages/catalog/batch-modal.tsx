/**
 * 批量修改: retention, openness or control marking of the chosen items, with a
 * reason. The server previews what changes and what it refuses (and why); the
 * change is applied only from a preview, as one audited operation.
 */
import { Alert, App, Button, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBatchApply, useBatchPreview, type BatchChange, type BatchPreview, type BatchRequest } from '../../api/catalog-arrange.js';
import { controls, opennessValues, retentions } from '../../api/catalog.js';
import { QueryError } from '../../components/query-error.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { useValueLabels } from './value-labels.js';

type Kind = 'retention' | 'openness' | 'control';
const kinds: readonly Kind[] = ['retention', 'openness', 'control'];
/** The Select's stand-in for "no control marking", which the API sends as null. */
const noControl = '';

interface BatchFields {
  kind: Kind;
  value: string;
  reason: string;
}

function changeOf(fields: BatchFields): BatchChange {
  if (fields.kind === 'control') return { kind: 'control', value: fields.value === noControl ? null : fields.value };
  return { kind: fields.kind, value: fields.value };
}

export function BatchModal({ itemIds, onClose }: { itemIds: readonly string[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useValueLabels();
  const [form] = Form.useForm<BatchFields>();
  const kind = Form.useWatch('kind', form) ?? 'retention';
  const preview = useBatchPreview();
  const apply = useBatchApply();
  const [previewed, setPreviewed] = useState<{ request: BatchRequest; result: BatchPreview } | null>(null);

  const values: Array<{ value: string; label: string }> =
    kind === 'retention'
      ? retentions.map((v) => ({ value: v, label: labels.retention(v) }))
      : kind === 'openness'
        ? opennessValues.map((v) => ({ value: v, label: labels.openness(v) }))
        : [{ value: noControl, label: t('admin.catalog.form.controlNone') }, ...controls.map((v) => ({ value: v, label: labels.control(v) }))];

  const runPreview = (fields: BatchFields) => {
    const request: BatchRequest = { itemIds: [...itemIds], change: changeOf(fields), reason: fields.reason.trim() };
    preview.mutate(request, { onSuccess: (result) => setPreviewed({ request, result }) });
  };
  const runApply = () => {
    if (!previewed) return;
    apply.mutate(previewed.request, {
      onSuccess: (result) => {
        void message.success(t('admin.catalog.batch.applied', { changed: result.changed }));
        onClose();
      },
    });
  };
  const english = currentLanguage() === 'en';
  const result = previewed?.result;

  return (
    <Modal
      open
      width={860}
      title={t('admin.catalog.batch.title')}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={onClose}>{t('admin.catalog.form.cancel')}</Button>
          <Button onClick={() => form.submit()} loading={preview.isPending} data-testid="batch-preview">
            {t('admin.catalog.batch.preview')}
          </Button>
          <Button type="primary" disabled={!result || result.affected.length === 0} loading={apply.isPending} onClick={runApply} data-testid="batch-apply">
            {t('admin.catalog.batch.apply')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Text>{t('admin.catalog.batch.scope', { count: itemIds.length })}</Typography.Text>
        <Form<BatchFields>
          form={form}
          layout="vertical"
          initialValues={{ kind: 'retention' }}
          onFinish={runPreview}
          onValuesChange={(changed: Partial<BatchFields>) => {
            if (changed.kind) form.setFieldValue('value', undefined);
            setPreviewed(null);
          }}
        >
          <Space wrap align="start">
            <Form.Item name="kind" label={t('admin.catalog.batch.kind')}>
              <Select style={{ minWidth: 160 }} options={kinds.map((k) => ({ value: k, label: t(`admin.catalog.batch.kinds.${k}`) }))} />
            </Form.Item>
            <Form.Item name="value" label={t('admin.catalog.batch.value')} rules={[{ required: true, message: t('admin.catalog.form.choose', { label: t('admin.catalog.batch.value') }) }]}>
              <Select style={{ minWidth: 180 }} options={values} data-testid="batch-value" />
            </Form.Item>
          </Space>
          <Form.Item name="reason" label={t('admin.catalog.batch.reason')} rules={[{ required: true, whitespace: true, message: t('admin.catalog.batch.reasonRequired') }]}>
            <Input.TextArea autoSize={{ minRows: 2 }} maxLength={1000} data-testid="batch-reason" />
          </Form.Item>
        </Form>
        {preview.error && <QueryError error={preview.error} />}
        {apply.error && <QueryError error={apply.error} />}
        {result && result.refused.length > 0 && (
          <Alert
            type="warning"
            showIcon
            title={t('admin.catalog.batch.refused', { count: result.refused.length })}
            description={
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {result.refused.slice(0, 20).map((r) => (
                  <li key={r.id}>
                    {r.archivalCode ?? r.title}: {english ? r.en : r.zh}
                  </li>
                ))}
              </ul>
            }
          />
        )}
        {result && (
          <Table
            rowKey="id"
            size="small"
            title={() => t('admin.catalog.batch.affected', { count: result.affected.length })}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            dataSource={result.affected}
            columns={[
              { key: 'code', title: t('admin.catalog.fields.archivalCode'), render: (_, a) => a.archivalCode ?? '—' },
              { key: 'title', dataIndex: 'title', title: t('admin.catalog.fields.title'), ellipsis: true },
              { key: 'from', title: t('admin.catalog.batch.from'), render: (_, a) => labels.ofKind(previewed.request.change.kind, a.from) },
              { key: 'to', title: t('admin.catalog.batch.to'), render: (_, a) => labels.ofKind(previewed.request.change.kind, a.to) },
            ]}
          />
        )}
        {result && result.unchanged > 0 && <Typography.Text type="secondary">{t('admin.catalog.batch.unchanged', { count: result.unchanged })}</Typography.Text>}
      </Space>
    </Modal>
  );
}
