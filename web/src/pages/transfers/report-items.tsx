/**
 * 逐件检测: every item with its overall result; an item's checks that did not pass
 * unfold under it with the evidence (what was expected, what was found, in which
 * file). By default only items with problems are listed.
 */
import { Segmented, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReportFinding, ReportItem } from '../../api/transfers.js';
import { notPassed, problems, valueText } from './findings.js';
import { ResultTag } from './status-tags.js';

export function FindingsTable({ findings, testId }: { findings: readonly ReportFinding[]; testId?: string }) {
  const { t } = useTranslation('transfer');
  const columns: TableColumnsType<ReportFinding & { key: string }> = [
    { key: 'check', title: t('report.check'), render: (_, f) => `${f.checkId} ${f.name}`, width: 280 },
    { key: 'result', title: t('report.result'), render: (_, f) => <ResultTag result={f.result} />, width: 90 },
    {
      key: 'message',
      title: t('report.message'),
      render: (_, f) => (
        <Space orientation="vertical" size={0}>
          <span>{f.message}</span>
          {f.expected !== undefined && <Typography.Text type="secondary">{t('report.expected', { value: valueText(f.expected) })}</Typography.Text>}
          {f.found !== undefined && f.found !== null && <Typography.Text type="secondary">{t('report.found', { value: valueText(f.found) })}</Typography.Text>}
          {f.file && <Typography.Text type="secondary">{t('report.file', { file: f.file })}</Typography.Text>}
        </Space>
      ),
    },
  ];
  return (
    <Table
      data-testid={testId}
      size="small"
      columns={columns}
      dataSource={findings.map((f, i) => ({ ...f, key: `${f.checkId}-${f.file ?? ''}-${i}` }))}
      pagination={false}
      scroll={{ x: 'max-content' }}
    />
  );
}

export function ReportItems({ items }: { items: readonly ReportItem[] }) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const [which, setWhich] = useState<'problems' | 'all'>('problems');
  const hasProblems = (item: ReportItem) => problems(item.findings).length > 0 || item.returnReason !== null;
  const shown = which === 'all' ? items : items.filter(hasProblems);

  const columns: TableColumnsType<ReportItem> = [
    { key: 'position', dataIndex: 'position', title: t('items.position'), width: 64 },
    { key: 'code', title: tBase('admin.catalog.fields.archivalCode'), render: (_, item) => item.archivalCode ?? '' },
    { key: 'title', dataIndex: 'title', title: tBase('admin.catalog.fields.title') },
    { key: 'result', title: t('report.result'), render: (_, item) => <ResultTag result={item.result ?? '未检测'} />, width: 90 },
    { key: 'reason', title: t('report.returnReason'), render: (_, item) => <Typography.Text type="danger">{item.returnReason ?? ''}</Typography.Text> },
  ];

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Segmented<'problems' | 'all'>
        value={which}
        onChange={setWhich}
        options={[
          { value: 'problems', label: t('report.onlyProblems', { count: items.filter(hasProblems).length }) },
          { value: 'all', label: t('report.allItems', { count: items.length }) },
        ]}
        data-testid="report-items-filter"
      />
      <Table<ReportItem>
        data-testid="report-items"
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={shown}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        expandable={{
          rowExpandable: (item) => notPassed(item.findings).length > 0,
          expandedRowRender: (item) => <FindingsTable findings={notPassed(item.findings)} testId={`report-findings-${item.position}`} />,
        }}
        onRow={(item) => ({ 'data-testid': `report-item-${item.position}`, 'data-result': item.result ?? '' }) as React.HTMLAttributes<HTMLElement>}
      />
    </Space>
  );
}
