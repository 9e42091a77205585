/**
 * The dry-run report of a catalog import: which columns were recognised, and each
 * problem with its row, column, value and a suggestion. A wrong value is corrected
 * in place and its row checked again by the server; once no row has errors the
 * import can be applied (all rows or none).
 */
import { CheckOutlined } from '@ant-design/icons';
import { Alert, Button, Input, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFixImportRow, type ImportProblem, type ImportSummary } from '../../api/catalog-import.js';
import { QueryError } from '../../components/query-error.js';
import { currentLanguage } from '../../i18n/i18n.js';

interface ProblemRow extends ImportProblem {
  key: string;
  /** A value one can correct: an error in a column the import reads. */
  editable: boolean;
}

const draftKey = (row: number, field: string) => `${row}|${field}`;

export function ImportReport({ summary, onSummary }: { summary: ImportSummary; onSummary: (summary: ImportSummary) => void }) {
  const { t } = useTranslation();
  const fix = useFixImportRow();
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const english = currentLanguage() === 'en';
  const mapped = new Set(summary.columns.flatMap((c) => (c.field ? [c.field] : [])));
  const rows: ProblemRow[] = summary.problems.map((p, index) => ({
    ...p,
    key: `${p.row}|${p.field}|${p.column}|${index}`,
    editable: p.severity === 'error' && mapped.has(p.field),
  }));

  /** Sends every corrected value of the row and takes the server's new report. */
  const recheck = (row: number) => {
    const values: Record<string, string> = {};
    for (const p of rows) {
      const draft = drafts[draftKey(p.row, p.field)];
      if (p.row === row && p.editable && draft !== undefined) values[p.field] = draft.trim();
    }
    if (Object.keys(values).length === 0) return;
    fix.mutate(
      { importId: summary.id, row, values },
      {
        onSuccess: (next) => {
          setDrafts((current) => Object.fromEntries(Object.entries(current).filter(([key]) => !key.startsWith(`${row}|`))));
          onSummary(next);
        },
      },
    );
  };

  const columns: TableColumnsType<ProblemRow> = [
    { key: 'row', dataIndex: 'row', title: t('admin.catalog.import.row'), width: 64 },
    { key: 'column', dataIndex: 'column', title: t('admin.catalog.import.column') },
    {
      key: 'value',
      title: t('admin.catalog.import.value'),
      render: (_, p) =>
        p.editable ? (
          <Input
            size="small"
            style={{ minWidth: 160 }}
            value={drafts[draftKey(p.row, p.field)] ?? p.value}
            onChange={(e) => setDrafts((current) => ({ ...current, [draftKey(p.row, p.field)]: e.target.value }))}
            onPressEnter={() => recheck(p.row)}
            data-testid={`import-value-${p.row}-${p.field}`}
          />
        ) : (
          <Typography.Text>{p.value}</Typography.Text>
        ),
    },
    {
      key: 'problem',
      title: t('admin.catalog.import.problem'),
      render: (_, p) => (
        <Space size={4}>
          <Tag color={p.severity === 'error' ? 'error' : 'warning'}>{p.severity === 'error' ? '✕' : '!'}</Tag>
          {english ? p.problemEn : p.problem}
        </Space>
      ),
    },
    { key: 'suggestion', dataIndex: 'suggestion', title: t('admin.catalog.import.suggestion') },
    {
      key: 'action',
      render: (_, p) =>
        p.editable && (
          <Button size="small" icon={<CheckOutlined />} loading={fix.isPending && fix.variables.row === p.row} onClick={() => recheck(p.row)} data-testid={`import-recheck-${p.row}`}>
            {t('admin.catalog.import.recheck')}
          </Button>
        ),
    },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Alert
        type={summary.errorRows === 0 ? 'success' : 'error'}
        showIcon
        data-testid="import-summary"
        data-error-rows={summary.errorRows}
        title={t('admin.catalog.import.summary', { total: summary.totalRows, errors: summary.errorRows })}
        description={summary.errorRows === 0 ? t('admin.catalog.import.noProblems') : t('admin.catalog.import.fixHint')}
      />
      <div>
        <Typography.Text type="secondary">
          {summary.sheet ? `${t('admin.catalog.import.sheet', { sheet: summary.sheet })} · ` : ''}
          {t('admin.catalog.import.columns')}:{' '}
        </Typography.Text>
        {summary.columns
          .filter((c) => c.header !== '')
          .map((c) => (
            <Tag key={c.header} color={c.field ? 'blue' : 'default'}>
              {c.header}
              {c.field ? '' : ` (${t('admin.catalog.import.unmapped')})`}
            </Tag>
          ))}
      </div>
      {fix.error && <QueryError error={fix.error} />}
      {rows.length > 0 && (
        <Table<ProblemRow>
          data-testid="import-problems"
          size="small"
          columns={columns}
          dataSource={rows}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          onRow={(p) => ({ 'data-testid': `import-problem-${p.row}-${p.field}` }) as React.HTMLAttributes<HTMLElement>}
        />
      )}
    </Space>
  );
}
