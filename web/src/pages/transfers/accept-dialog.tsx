/**
 * The accept dialog (接收进馆): the check report in counts, the items to take in —
 * those that failed cannot be chosen, those left out go back to the agency with a
 * reason as a returned hand-over of their own — and whether the records get the
 * archive's codes; then the server's preview of exactly what the accept will do
 * (it writes nothing), and only then the accept. Afterwards, what was done.
 */
import { Button, Form, Input, Modal, Space, Switch, Table, Tag, Tooltip, Typography, type CheckboxProps, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkResults, useAcceptPreview, useAcceptTransfer, type AcceptOptions, type ReportItem, type TransferReport } from '../../api/transfers.js';
import { QueryError } from '../../components/query-error.js';
import { AcceptPlan } from './accept-plan.js';
import { AcceptResult } from './accept-result.js';
import { findingLine, problems } from './findings.js';
import { formatBytes } from './format-bytes.js';
import { ResultTag } from './status-tags.js';

interface AcceptValues {
  recode: boolean;
  reason?: string;
}

const failed = (item: ReportItem) => item.result === '不通过';
/** Chosen at first: what passed, with or without warnings (an item not checked at all waits to be ticked). */
const chosenAtFirst = (item: ReportItem) => item.result === '通过' || item.result === '警告';

export interface AcceptDialogProps {
  report: TransferReport;
  onClose: () => void;
}

export function AcceptDialog({ report, onClose }: AcceptDialogProps) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const [form] = Form.useForm<AcceptValues>();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(report.items.filter(chosenAtFirst).map((item) => item.id)));
  const preview = useAcceptPreview();
  const accept = useAcceptTransfer();
  const { id, title } = report.transfer;
  const left = report.items.filter((item) => !chosen.has(item.id));
  const summary = report.summary;

  /** A preview answers for the choices it was asked with: any change asks for a new one. */
  const changed = () => {
    preview.reset();
    accept.reset();
  };
  /** The choices as the server takes them, once the form is valid (otherwise the form shows what is missing). */
  const options = async (): Promise<(AcceptOptions & { id: string }) | null> => {
    try {
      const values = await form.validateFields();
      return { id, itemIds: [...chosen], recode: values.recode, ...(left.length > 0 ? { returnReason: values.reason?.trim() } : {}) };
    } catch {
      return null;
    }
  };
  const runPreview = async () => {
    const chosenOptions = await options();
    if (chosenOptions) preview.mutate(chosenOptions);
  };
  const runAccept = async () => {
    const chosenOptions = await options();
    if (chosenOptions) accept.mutate(chosenOptions);
  };

  const columns: TableColumnsType<ReportItem> = [
    { key: 'position', dataIndex: 'position', title: t('items.position'), width: 64 },
    // Result and outcome before the title, so a phone shows them without scrolling sideways.
    { key: 'result', title: t('report.result'), render: (_, item) => <ResultTag result={item.result ?? '未检测'} />, width: 90 },
    {
      key: 'disposition',
      title: t('accept.disposition'),
      width: 90,
      render: (_, item) => {
        if (chosen.has(item.id)) return <Tag color="success">{t('accept.take')}</Tag>;
        const tag = <Tag color="error">{t('accept.giveBack')}</Tag>;
        if (!failed(item)) return tag;
        const lines = problems(item.findings, true).map(findingLine);
        return <Tooltip title={[t('accept.failedItem'), ...lines].join('；')}>{tag}</Tooltip>;
      },
    },
    { key: 'title', dataIndex: 'title', title: tBase('admin.catalog.fields.title') },
    ...(report.items.some((item) => item.archivalCode)
      ? [{ key: 'code', title: tBase('admin.catalog.fields.archivalCode'), render: (_: unknown, item: ReportItem) => item.archivalCode ?? '' }]
      : []),
  ];

  const done = accept.data;
  const footer = done
    ? [
        <Button key="close" type="primary" onClick={onClose} data-testid="accept-close">
          {t('accept.close')}
        </Button>,
      ]
    : [
        <Button key="cancel" onClick={onClose} disabled={accept.isPending} data-testid="accept-cancel">
          {t('form.cancel')}
        </Button>,
        <Button key="preview" onClick={() => void runPreview()} loading={preview.isPending} disabled={chosen.size === 0 || accept.isPending} data-testid="accept-preview">
          {t('accept.preview')}
        </Button>,
        <Button key="confirm" type="primary" onClick={() => void runAccept()} loading={accept.isPending} disabled={!preview.data} data-testid="accept-confirm">
          {t('accept.confirm')}
        </Button>,
      ];

  return (
    <Modal open width={960} title={t('accept.title', { title })} footer={footer} onCancel={onClose} closable={!accept.isPending} keyboard={!accept.isPending} maskClosable={false} destroyOnHidden>
      {done ? (
        <AcceptResult result={done} />
      ) : (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="accept-dialog">
          <Space wrap size="middle" data-testid="accept-counts">
            {checkResults.map((result) => (
              <Space key={result} size={4} data-result={result}>
                <ResultTag result={result} />
                <Typography.Text strong>{report.items.filter((item) => (item.result ?? '未检测') === result).length}</Typography.Text>
              </Space>
            ))}
            {summary && <Typography.Text type="secondary">{t('accept.summary', { items: summary.items, files: summary.files, size: formatBytes(summary.bytes), passRate: summary.passRate })}</Typography.Text>}
          </Space>
          <Typography.Text type="secondary">{t('accept.itemsHint')}</Typography.Text>
          <Table<ReportItem>
            data-testid="accept-items"
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={report.items}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            scroll={{ x: 'max-content' }}
            rowSelection={{
              selectedRowKeys: [...chosen],
              onChange: (keys) => {
                setChosen(new Set(keys.map(String)));
                changed();
              },
              // data-testid reaches the checkbox's <input>, which antd renders from these props.
              getCheckboxProps: (item) => ({ disabled: failed(item), 'data-testid': `accept-item-${item.position}` }) as CheckboxProps,
            }}
            onRow={(item) => ({ 'data-testid': `accept-row-${item.position}`, 'data-result': item.result ?? '' }) as React.HTMLAttributes<HTMLElement>}
          />
          <Typography.Text type={chosen.size === 0 ? 'danger' : 'secondary'} data-testid="accept-chosen">
            {chosen.size === 0 ? t('accept.noneChosen') : t('accept.chosen', { chosen: chosen.size, total: report.items.length })}
          </Typography.Text>
          <Form<AcceptValues> form={form} layout="vertical" initialValues={{ recode: false, reason: '' }} onValuesChange={(values) => 'recode' in values && changed()}>
            <Form.Item name="recode" label={t('accept.recode')} extra={t('accept.recodeHint')} valuePropName="checked">
              <Switch data-testid="accept-recode" />
            </Form.Item>
            {left.length > 0 && (
              <Form.Item
                name="reason"
                label={t('accept.reason')}
                extra={t('accept.reasonHint', { count: left.length })}
                rules={[{ required: true, whitespace: true, message: t('accept.reasonRequired') }]}
              >
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} placeholder={t('accept.reasonPlaceholder')} data-testid="accept-reason" />
              </Form.Item>
            )}
          </Form>
          {preview.error && <QueryError error={preview.error} />}
          {accept.error && <QueryError error={accept.error} />}
          {preview.data ? (
            <AcceptPlan plan={preview.data} recode={preview.variables?.recode ?? false} title={title} />
          ) : (
            <Typography.Text type="secondary">{t('accept.previewFirst')}</Typography.Text>
          )}
        </Space>
      )}
    </Modal>
  );
}
