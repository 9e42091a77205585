/**
 * 档案检索 in the workbench: the same search as the portal, with the archivist's
 * fields (题名, 责任者, 文件编号, 全文, 档号 prefix, dates), facet filters over a
 * results table, and the record opening in the catalog's item drawer (and its edit form).
 * The search lives in the URL, as on the portal. What is found is what the
 * signed-in viewer may see.
 */
import { useQueryClient } from '@tanstack/react-query';
import { App, Card, Flex, Select, Typography, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCategories, useFonds, type ItemDetail } from '../../api/catalog.js';
import { hasCriteria, readSearchRequest, searchParams, searchSorts, useSearch, type SearchRequest, type SearchSort } from '../../api/search.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { ItemDetailDrawer } from '../catalog/item-detail-drawer.js';
import { ItemFormDrawer } from '../catalog/item-form-drawer.js';
import { formatCount } from '../search/facet-panel.js';
import { CriteriaForm, type Criteria } from './criteria-form.js';
import { FacetSelects } from './facet-selects.js';
import { ResultsTable } from './results-table.js';

const pageSize = 20;

export function WorkbenchSearchPage() {
  const { t, i18n } = useTranslation('search');
  const { t: tBase } = useTranslation();
  const { token } = theme.useToken();
  const title = tBase('admin.groups.use.items.search.title');
  useDocumentTitle(title, 'workbench');
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const request = readSearchRequest(params, pageSize);
  const active = hasCriteria(request);
  const search = useSearch(request, active);
  const categories = useCategories();
  const fonds = useFonds();
  const [detailId, setDetailId] = useState<string | null>(null);
  const [editing, setEditing] = useState<ItemDetail | null>(null);
  const result = search.data;

  const go = (next: SearchRequest) => setParams(searchParams(next, pageSize));
  const refine = (patch: Partial<SearchRequest>) => go({ ...request, ...patch, page: 1 });
  const formKey = JSON.stringify([request.adv, request.dateFrom, request.dateTo]);
  const searchBy = (criteria: Criteria) => {
    if (criteria.adv.length === 0 && !criteria.dateFrom && !criteria.dateTo) void message.info(t('workbench.needCriteria'));
    else refine({ ...criteria, q: '' });
  };

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('workbench.intro')}</Typography.Paragraph>
      <Card size="small" style={{ marginBottom: token.marginMD }}>
        <CriteriaForm key={formKey} request={request} onSearch={searchBy} onReset={() => go({ ...request, q: '', adv: [], dateFrom: undefined, dateTo: undefined, filters: {}, page: 1 })} />
      </Card>
      {active && (
        <Card size="small">
          <Flex vertical gap={token.marginSM}>
            <Flex wrap justify="space-between" align="center" gap={token.marginSM}>
              <Typography.Text data-testid="search-total" data-total={result?.total}>
                {result && t('result.total', { total: formatCount(result.total, result.approximate, i18n.language), ms: Math.round(result.tookMs) })}
                {result && result.understood.length > 0 && <Typography.Text type="secondary"> · {t('result.understood', { terms: result.understood.join('；') })}</Typography.Text>}
              </Typography.Text>
              <Select<SearchSort>
                aria-label={t('sort.label')}
                value={request.sort}
                onChange={(sort) => refine({ sort })}
                options={searchSorts.map((sort) => ({ value: sort, label: t(`sort.${sort}`) }))}
                style={{ width: 150 }}
                data-testid="search-sort"
              />
            </Flex>
            <FacetSelects facets={result?.facets} approximate={result?.approximate ?? false} selected={request.filters} onChange={(name, values) => refine({ filters: { ...request.filters, [name]: values } })} />
            {search.error && <RefusedOrError error={search.error} onRetry={() => void search.refetch()} />}
            <ResultsTable
              request={request}
              result={result}
              loading={search.isFetching}
              onPage={(page, size) => go({ ...request, page: size === request.pageSize ? page : 1, pageSize: size })}
              onOpen={(hit) => setDetailId(hit.id)}
            />
          </Flex>
        </Card>
      )}
      {detailId !== null && (
        <ItemDetailDrawer
          id={detailId}
          categories={categories.data ?? []}
          onClose={() => setDetailId(null)}
          onEdit={(item) => {
            setDetailId(null);
            setEditing(item);
          }}
        />
      )}
      {editing && (
        <ItemFormDrawer
          item={editing}
          defaults={{}}
          fonds={fonds.data ?? []}
          categories={categories.data ?? []}
          onClose={() => {
            setEditing(null);
            // A changed description changes what the search finds.
            void queryClient.invalidateQueries({ queryKey: ['search'] });
          }}
        />
      )}
    </>
  );
}
