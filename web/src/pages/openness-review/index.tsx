/**
 * 开放审核 (档案法 art. 27, 30): the items due for review this year, and a decision
 * for the chosen ones — open, keep controlled, or postpone — with a reason. Time
 * alone never opens a record; each decision is kept per item by the server.
 */
import { App, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFonds, type Item } from '../../api/catalog.js';
import { opennessDecisions, useDueItems, useOpennessReview, type OpennessDecision } from '../../api/catalog-arrange.js';
import { QueryError } from '../../components/query-error.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { useValueLabels } from '../catalog/value-labels.js';

const decisionKeys = { 开放: 'open', 控制: 'control', 延期: 'postpone' } as const;

interface DecisionFields {
  decision: OpennessDecision;
  reviewAgainIn?: number | null;
  reason: string;
}

export function OpennessReviewPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useValueLabels();
  const title = t('admin.groups.appraise.items.openness.title');
  useDocumentTitle(title, 'workbench');
  const fonds = useFonds();
  const [fondsId, setFondsId] = useState<string | undefined>(undefined);
  const [page, setPage] = useState({ offset: 0, limit: 20 });
  const [selected, setSelected] = useState<string[]>([]);
  const due = useDueItems({ fondsId, sort: 'date', order: 'asc', ...page });
  const review = useOpennessReview();
  const [form] = Form.useForm<DecisionFields>();
  const decision = Form.useWatch('decision', form);

  const columns: TableColumnsType<Item> = [
    { key: 'code', title: t('admin.catalog.fields.archivalCode'), render: (_, i) => i.archivalCode ?? <Typography.Text type="secondary">{t('admin.catalog.table.noCode')}</Typography.Text> },
    { key: 'title', dataIndex: 'title', title: t('admin.catalog.fields.title') },
    { key: 'responsible', dataIndex: 'responsible', title: t('admin.catalog.fields.responsible') },
    { key: 'date', dataIndex: 'date', title: t('admin.catalog.fields.date') },
    { key: 'retention', title: t('admin.catalog.fields.retention'), render: (_, i) => labels.retention(i.retention) },
    { key: 'control', title: t('admin.catalog.fields.control'), render: (_, i) => labels.control(i.control) },
    { key: 'openness', title: t('admin.catalog.fields.openness'), render: (_, i) => <Tag>{labels.openness(i.openness)}</Tag> },
    { key: 'due', dataIndex: 'opennessDueYear', title: t('admin.catalog.fields.opennessDueYear') },
  ];

  const submit = (values: DecisionFields) => {
    if (selected.length === 0) {
      void message.info(t('admin.catalog.review.needSelection'));
      return;
    }
    review.mutate(
      { itemIds: selected, decision: values.decision, reason: values.reason.trim(), reviewAgainIn: values.decision === '开放' ? undefined : (values.reviewAgainIn ?? undefined) },
      {
        onSuccess: (result) => {
          void message.success(t('admin.catalog.review.done', { count: result.reviewed }));
          setSelected([]);
          form.resetFields();
        },
      },
    );
  };

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.catalog.review.intro')}</Typography.Paragraph>
      {due.error ? (
        <RefusedOrError error={due.error} onRetry={() => void due.refetch()} />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Card size="small">
            <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
              <Select
                allowClear
                style={{ minWidth: 280 }}
                placeholder={t('admin.catalog.review.allFonds')}
                value={fondsId}
                onChange={(value?: string) => {
                  setFondsId(value);
                  setPage((current) => ({ ...current, offset: 0 }));
                  setSelected([]);
                }}
                options={(fonds.data ?? []).map((f) => ({ value: f.id, label: `${f.code} ${f.name}` }))}
              />
              <Table<Item>
                data-testid="review-table"
                rowKey="id"
                size="small"
                loading={due.isFetching}
                columns={columns}
                dataSource={due.data?.items ?? []}
                rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)), preserveSelectedRowKeys: true }}
                locale={{ emptyText: t('admin.catalog.review.empty') }}
                scroll={{ x: 'max-content' }}
                pagination={{
                  current: Math.floor(page.offset / page.limit) + 1,
                  pageSize: page.limit,
                  total: due.data?.total ?? 0,
                  showSizeChanger: true,
                  showTotal: (total) => t('admin.catalog.table.total', { total }),
                  onChange: (current, pageSize) => setPage({ offset: (current - 1) * pageSize, limit: pageSize }),
                }}
              />
            </Space>
          </Card>
          <Card size="small" title={`${t('admin.catalog.review.decision')} · ${t('admin.catalog.review.selected', { count: selected.length })}`}>
            {review.error && <QueryError error={review.error} />}
            <Form<DecisionFields> form={form} layout="vertical" initialValues={{ decision: '开放' }} onFinish={submit} data-testid="review-form">
              <Form.Item name="decision" label={t('admin.catalog.review.decision')}>
                <Radio.Group options={opennessDecisions.map((d) => ({ value: d, label: t(`admin.catalog.review.decisions.${decisionKeys[d]}`) }))} />
              </Form.Item>
              {decision !== undefined && decision !== '开放' && (
                <Form.Item name="reviewAgainIn" label={t('admin.catalog.review.reviewAgainIn')} extra={t('admin.catalog.review.reviewAgainHint')}>
                  <InputNumber min={1} max={50} precision={0} />
                </Form.Item>
              )}
              <Form.Item name="reason" label={t('admin.catalog.review.reason')} rules={[{ required: true, whitespace: true, message: t('admin.catalog.review.reasonRequired') }]}>
                <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={1000} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={review.isPending} disabled={selected.length === 0} data-testid="review-submit">
                {t('admin.catalog.review.submit')}
              </Button>
            </Form>
          </Card>
        </Space>
      )}
    </>
  );
}
