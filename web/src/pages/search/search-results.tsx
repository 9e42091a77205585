/**
 * The answer to a search on the portal: the count and time, what the server
 * understood the query as, sort order, the hits page by page, or — with nothing
 * found — the suggestions and tips. On a phone the filters open from a 筛选 button.
 */
import { FilterOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Flex, Listy, Pagination, Select, Skeleton, Spin, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { facetNames, maxPage, searchSorts, type SearchRequest, type SearchResult, type SearchSort } from '../../api/search.js';
import { QueryError } from '../../components/query-error.js';
import { EmptyResult } from './empty-result.js';
import { formatCount } from './facet-panel.js';
import { HitItem } from './hit-item.js';

export interface SearchResultsProps {
  request: SearchRequest;
  result: SearchResult | undefined;
  error: Error | null;
  fetching: boolean;
  compact: boolean;
  onRetry: () => void;
  onSort: (sort: SearchSort) => void;
  onPage: (page: number) => void;
  onOpenFilters: () => void;
  onClearFilters: () => void;
  linkFor: (q: string) => string;
}

export function SearchResults({ request, result, error, fetching, compact, onRetry, onSort, onPage, onOpenFilters, onClearFilters, linkFor }: SearchResultsProps) {
  const { t, i18n } = useTranslation('search');
  const { token } = theme.useToken();
  const filterCount = facetNames.reduce((sum, name) => sum + (request.filters[name]?.length ?? 0), 0) + (request.dateFrom || request.dateTo ? 1 : 0);

  if (error && !result) return <QueryError error={error} onRetry={onRetry} />;
  if (!result) return <Skeleton active paragraph={{ rows: 6 }} aria-label={t('result.loading')} />;

  return (
    <Flex vertical gap={token.marginSM} style={{ minWidth: 0 }}>
      <Flex wrap justify="space-between" align="center" gap={token.marginSM}>
        <Typography.Text data-testid="search-total" data-total={result.total} data-approximate={result.approximate}>
          {t('result.total', { total: formatCount(result.total, result.approximate, i18n.language), ms: Math.round(result.tookMs) })}
        </Typography.Text>
        <Flex gap={token.marginXS}>
          {compact && (
            <Badge count={filterCount} size="small">
              <Button icon={<FilterOutlined />} onClick={onOpenFilters} data-testid="search-filters-button">
                {t('facets.open')}
              </Button>
            </Badge>
          )}
          <Select<SearchSort>
            aria-label={t('sort.label')}
            value={request.sort}
            onChange={onSort}
            options={searchSorts.map((sort) => ({ value: sort, label: t(`sort.${sort}`) }))}
            style={{ width: compact ? 132 : 150 }}
            data-testid="search-sort"
          />
        </Flex>
      </Flex>
      {result.understood.length > 0 && (
        <Typography.Text type="secondary" data-testid="search-understood" style={{ overflowWrap: 'anywhere' }}>
          {t('result.understood', { terms: result.understood.join('；') })}
        </Typography.Text>
      )}
      {result.truncated && <Alert type="warning" showIcon title={t('result.truncated')} />}
      {error && <QueryError error={error} onRetry={onRetry} />}
      {result.hits.length === 0 ? (
        <EmptyResult suggestions={result.suggestions} linkFor={linkFor} onClearFilters={filterCount > 0 ? onClearFilters : undefined} />
      ) : (
        <Spin spinning={fetching}>
          <div data-testid="search-hits">
            <Listy virtual={false} items={result.hits} rowKey="id" styles={{ item: { padding: 0 } }} itemRender={(hit) => <HitItem hit={hit} />} />
          </div>
          <Pagination
            style={{ marginTop: token.marginMD, justifyContent: 'center' }}
            current={request.page}
            pageSize={request.pageSize}
            total={Math.min(result.total, maxPage * request.pageSize)}
            showSizeChanger={false}
            simple={compact}
            onChange={onPage}
            data-testid="search-pagination"
          />
        </Spin>
      )}
    </Flex>
  );
}
