/**
 * 退回: the archivist returns a checked hand-over to its agency with a reason, and
 * may say for each item what to correct. Items that did not pass come first,
 * their reasons filled in from the report, to be edited or cleared.
 */
import { App, Form, Input, Modal, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useReturnTransfer, type ReportItem, type TransferReport } from '../../api/transfers.js';
import { QueryError } from '../../components/query-error.js';
import { findingLine, problems } from './findings.js';
import { ResultTag } from './status-tags.js';

interface ReturnValues {
  reason: string;
  items: Record<string, string | undefined>;
}

export function ReturnModal({ report, onClose }: { report: TransferReport; onClose: () => void }) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ReturnValues>();
  const send = useReturnTransfer();
  const failing = report.items.filter((item) => problems(item.findings, true).length > 0);
  const others = report.items.filter((item) => !failing.includes(item));
  const rows = [...failing, ...others];
  const failed = report.summary ? report.summary.items - report.summary.passedItems : failing.length;

  const submit = (values: ReturnValues) => {
    const items = Object.fromEntries(Object.entries(values.items ?? {}).flatMap(([id, why]) => (why?.trim() ? [[id, why.trim()]] : [])));
    send.mutate(
      { id: report.transfer.id, reason: values.reason.trim(), items },
      {
        onSuccess: () => {
          void message.success(t('return.done'));
          onClose();
        },
      },
    );
  };

  const columns: TableColumnsType<ReportItem> = [
    { key: 'position', dataIndex: 'position', title: t('items.position'), width: 64 },
    { key: 'title', dataIndex: 'title', title: tBase('admin.catalog.fields.title'), width: 220 },
    { key: 'result', title: t('report.result'), render: (_, item) => <ResultTag result={item.result ?? '未检测'} />, width: 90 },
    {
      key: 'reason',
      title: t('return.itemReason'),
      render: (_, item) => (
        <Form.Item name={['items', item.id]} noStyle>
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={1000} data-testid={`return-item-${item.position}`} />
        </Form.Item>
      ),
    },
  ];

  return (
    <Modal
      open
      width={900}
      title={t('return.title', { title: report.transfer.title })}
      okText={t('return.submit')}
      okButtonProps={{ danger: true, 'data-testid': 'return-submit' }}
      confirmLoading={send.isPending}
      cancelText={t('form.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
      maskClosable={false}
    >
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {send.error && <QueryError error={send.error} />}
        <Form<ReturnValues>
          form={form}
          layout="vertical"
          onFinish={submit}
          initialValues={{
            reason: failed > 0 ? t('return.defaultReason', { count: failed }) : '',
            items: Object.fromEntries(failing.map((item) => [item.id, problems(item.findings, true).map(findingLine).join('；').slice(0, 1000)])),
          }}
          data-testid="return-form"
        >
          <Form.Item name="reason" label={t('return.reason')} rules={[{ required: true, whitespace: true, message: t('return.reasonRequired') }]}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} data-testid="return-reason" />
          </Form.Item>
          <Typography.Paragraph type="secondary">{t('return.itemsHint')}</Typography.Paragraph>
          <Table<ReportItem> rowKey="id" size="small" columns={columns} dataSource={rows} pagination={{ pageSize: 10, hideOnSinglePage: true }} scroll={{ x: 'max-content' }} />
        </Form>
      </Space>
    </Modal>
  );
}
