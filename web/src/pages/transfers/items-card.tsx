/**
 * 档案条目 of a draft: the items described so far, with what the last check (or,
 * in a new version, the archive's return) said about each, and the form to add
 * items or correct one. The server lists an item's title and code only, so a
 * correction starts from those and the item's files; the rest is entered again.
 */
import { DownloadOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { importTemplatePath } from '../../api/catalog-import.js';
import type { ReportItem, Transfer, TransferReport } from '../../api/transfers.js';
import { filesOf, findingLine, problems } from './findings.js';
import { ItemFormModal, type ItemFormValues } from './item-form-modal.js';
import { ResultTag } from './status-tags.js';

export interface ItemsCardProps {
  transfer: Transfer;
  report: TransferReport | undefined;
  /** The report of the version this draft corrects, if any. */
  previous: TransferReport | undefined;
  /** The corrected version's report is still loading: corrections start from it, so they wait. */
  previousPending: boolean;
  /** Paths of the hand-over's files known to this page. */
  files: readonly string[];
  editable: boolean;
}

type Editing = { itemId: null } | { itemId: string; initial: Partial<ItemFormValues>; problems: string[] };

export function ItemsCard({ transfer, report, previous, previousPending, files, editable }: ItemsCardProps) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const [editing, setEditing] = useState<Editing | null>(null);
  const items = report?.items ?? [];
  const checked = report?.summary !== null && report?.summary !== undefined;
  const before = (item: ReportItem) => previous?.items.find((p) => p.position === item.position);
  const itemFiles = (item: ReportItem) => {
    const own = filesOf(item);
    return own.length > 0 ? own : filesOf(before(item));
  };
  /** The archive's reason for this item, then what the checks found that the reason does not already say. */
  const problemsOf = (item: ReportItem) => {
    const earlier = before(item);
    const reason = earlier?.returnReason ?? '';
    const findings = item.findings.length > 0 ? item.findings : (earlier?.findings ?? []);
    const lines = problems(findings).map(findingLine).filter((line) => !reason.includes(line));
    return [...(reason ? [reason] : []), ...lines];
  };

  const columns: TableColumnsType<ReportItem> = [
    { key: 'position', dataIndex: 'position', title: t('items.position'), width: 64 },
    { key: 'title', dataIndex: 'title', title: tBase('admin.catalog.fields.title') },
    { key: 'code', title: tBase('admin.catalog.fields.archivalCode'), render: (_, item) => item.archivalCode ?? '' },
    // The server names an item's files only in check results (of this version or the one it corrects).
    ...(items.some((item) => itemFiles(item).length > 0)
      ? [{ key: 'files', title: t('items.files'), render: (_: unknown, item: ReportItem) => itemFiles(item).map((f) => <div key={f}>{f}</div>) }]
      : []),
    ...(checked ? [{ key: 'result', title: t('items.result'), render: (_: unknown, item: ReportItem) => <ResultTag result={item.result} /> }] : []),
    ...(previous
      ? [
          {
            key: 'returned',
            title: t('items.previousReason'),
            render: (_: unknown, item: ReportItem) => (
              <Typography.Text type="danger" style={{ maxWidth: 320 }} ellipsis={{ tooltip: before(item)?.returnReason }}>
                {before(item)?.returnReason ?? ''}
              </Typography.Text>
            ),
          },
        ]
      : []),
    ...(editable
      ? [
          {
            key: 'action',
            width: 100,
            render: (_: unknown, item: ReportItem) => (
              <Button
                size="small"
                icon={<EditOutlined />}
                disabled={previousPending}
                onClick={() => setEditing({ itemId: item.id, initial: { title: item.title, archivalCode: item.archivalCode ?? undefined, files: itemFiles(item) }, problems: problemsOf(item) })}
                data-testid={`item-edit-${item.position}`}
              >
                {t('items.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card
      size="small"
      title={t('items.title')}
      data-testid="items-card"
      extra={
        <Space wrap>
          <Button size="small" icon={<DownloadOutlined />} href={importTemplatePath(transfer.categoryId)} download>
            {t('items.template')}
          </Button>
          {editable && (
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ itemId: null })} data-testid="item-add">
              {t('items.add')}
            </Button>
          )}
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary" data-testid="items-count">
          {t('items.count', { items: items.length, declared: transfer.declaredItems })}
        </Typography.Text>
        <Table<ReportItem>
          data-testid="items-table"
          rowKey="id"
          size="small"
          columns={columns}
          dataSource={items}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          onRow={(item) => ({ 'data-testid': `item-row-${item.position}`, 'data-result': item.result ?? '' }) as React.HTMLAttributes<HTMLElement>}
        />
      </Space>
      {editing && (
        <ItemFormModal
          transferId={transfer.id}
          itemId={editing.itemId}
          initial={editing.itemId === null ? { year: transfer.yearFrom } : editing.initial}
          files={files}
          problems={editing.itemId === null ? [] : editing.problems}
          onClose={() => setEditing(null)}
        />
      )}
    </Card>
  );
}
