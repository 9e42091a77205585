/**
 * The workbench's search results as a table (档号, highlighted 题名, 责任者, 日期,
 * 保管期限, 开放, 密级, 门类), paged by the server; a row with full-text passages
 * unfolds to show them, and a click on a row opens the record.
 */
import { FileTextOutlined } from '@ant-design/icons';
import { Button, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatArchivalDate, maxPage, type SearchHit, type SearchRequest, type SearchResult } from '../../api/search.js';
import { useValueLabels } from '../catalog/value-labels.js';
import { HighlightedText } from '../search/highlighted-text.js';
import { OpennessTag } from '../search/openness-tag.js';

export interface ResultsTableProps {
  request: SearchRequest;
  result: SearchResult | undefined;
  loading: boolean;
  onPage: (page: number, pageSize: number) => void;
  onOpen: (hit: SearchHit) => void;
}

function Snippets({ hit }: { hit: SearchHit }) {
  const { t } = useTranslation('search');
  return (
    <div data-testid="result-snippets">
      {hit.snippets.map((snippet) => (
        <Typography.Paragraph key={`${snippet.fileId}-${snippet.page}`} style={{ marginBottom: 4 }}>
          <Typography.Text type="secondary">
            <FileTextOutlined /> {t('hit.source', { file: snippet.fileName, page: snippet.page })}
          </Typography.Text>
          <HighlightedText segments={snippet.text} />
        </Typography.Paragraph>
      ))}
    </div>
  );
}

export function ResultsTable({ request, result, loading, onPage, onOpen }: ResultsTableProps) {
  const { t } = useTranslation('search');
  const labels = useValueLabels();
  return (
    <Table<SearchHit>
      rowKey="id"
      size="small"
      data-testid="search-table"
      loading={loading}
      dataSource={result?.hits ?? []}
      scroll={{ x: 'max-content' }}
      onRow={(hit) => ({ onClick: () => onOpen(hit), style: { cursor: 'pointer' } })}
      expandable={{
        rowExpandable: (hit) => hit.snippets.length > 0,
        expandedRowRender: (hit) => <Snippets hit={hit} />,
      }}
      pagination={{
        current: request.page,
        pageSize: request.pageSize,
        total: Math.min(result?.total ?? 0, maxPage * request.pageSize),
        showSizeChanger: true,
        pageSizeOptions: [20, 50, 100],
        onChange: onPage,
      }}
      columns={[
        { key: 'code', title: t('workbench.columns.code'), render: (_, hit) => <span data-testid="result-code">{hit.archivalCode ?? '—'}</span> },
        {
          key: 'title',
          title: t('workbench.columns.title'),
          width: 300,
          render: (_, hit) => (
            // A real button, so the record opens from the keyboard too; the row's click does the same.
            <Button type="link" size="small" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }} data-testid="result-title">
              <span>
                <HighlightedText segments={hit.title} />
              </span>
            </Button>
          ),
        },
        { key: 'responsible', title: t('workbench.columns.responsible'), render: (_, hit) => hit.responsible ?? '' },
        { key: 'date', title: t('workbench.columns.date'), render: (_, hit) => formatArchivalDate(hit.date), width: 110 },
        { key: 'retention', title: t('workbench.columns.retention'), render: (_, hit) => labels.retention(hit.retention) },
        { key: 'openness', title: t('workbench.columns.openness'), render: (_, hit) => <OpennessTag value={hit.openness} /> },
        { key: 'classification', title: t('workbench.columns.classification'), render: (_, hit) => labels.classification(hit.classification) },
        { key: 'category', title: t('workbench.columns.category'), render: (_, hit) => hit.categoryName ?? hit.categoryCode ?? '' },
      ]}
    />
  );
}
