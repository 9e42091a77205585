/**
 * 档案检索 on the portal: the search box (words, "phrases", AND / OR / NOT, 档号
 * prefixes), 高级检索, facets beside the results (behind a 筛选 button on a
 * phone), sort and pages. The whole search lives in the URL — the same query
 * string the API takes — so back, forward and a shared link give the same page.
 */
import { Button, Card, Col, Drawer, Flex, Grid, Input, Row, Typography, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { hasCriteria, readSearchRequest, searchParams, useSearch, type FacetName, type SearchRequest } from '../../api/search.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { AdvancedForm, type AdvancedValues } from './advanced-form.js';
import { FacetPanel, formatCount } from './facet-panel.js';
import { SearchResults } from './search-results.js';

const pageSize = 20;

export function SearchPage() {
  const { t, i18n } = useTranslation('search');
  const { t: tBase } = useTranslation();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const compact = screens.md !== true;
  const [params, setParams] = useSearchParams();
  const request = readSearchRequest(params, pageSize);
  const active = hasCriteria(request);
  const search = useSearch(request, active);
  const [advancedOpen, setAdvancedOpen] = useState(request.adv.length > 0 || request.dateFrom !== undefined || request.dateTo !== undefined);
  const [filtersOpen, setFiltersOpen] = useState(false);
  useDocumentTitle(t('title'), 'portal');

  const go = (next: SearchRequest) => {
    setParams(searchParams(next, pageSize));
    window.scrollTo({ top: 0 });
  };
  /** A new question starts again at page 1. */
  const refine = (patch: Partial<SearchRequest>) => go({ ...request, ...patch, page: 1 });
  const setFacet = (name: FacetName, values: string[]) => refine({ filters: { ...request.filters, [name]: values } });
  const clearFilters = () => refine({ filters: {}, dateFrom: undefined, dateTo: undefined });
  const linkFor = (q: string) => `/search?${searchParams({ ...request, q, page: 1 }, pageSize).toString()}`;
  const advancedKey = JSON.stringify([request.adv, request.dateFrom, request.dateTo]);

  const facets = (
    <FacetPanel
      facets={search.data?.facets}
      approximate={search.data?.approximate ?? false}
      selected={request.filters}
      onChange={setFacet}
      onClear={() => refine({ filters: {} })}
    />
  );

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {t('title')}
      </Typography.Title>
      <Flex vertical gap={token.marginXS} style={{ marginBottom: token.marginMD }}>
        <Input.Search
          key={request.q}
          data-testid="search-box"
          aria-label={t('box.label')}
          placeholder={t('box.placeholder')}
          enterButton={t('box.button')}
          size="large"
          defaultValue={request.q}
          allowClear
          onSearch={(value) => refine({ q: value.trim() })}
        />
        <Flex wrap justify="space-between" align="center" gap={token.marginXS}>
          {request.q !== '' ? (
            <Typography.Text type="secondary" data-testid="search-query" style={{ overflowWrap: 'anywhere' }}>
              {tBase('portal.search.yourQuery', { query: request.q })}
            </Typography.Text>
          ) : (
            <span />
          )}
          <Button type="link" onClick={() => setAdvancedOpen(!advancedOpen)} aria-expanded={advancedOpen} data-testid="advanced-toggle" style={{ paddingInline: 0 }}>
            {advancedOpen ? t('advanced.hide') : t('advanced.toggle')}
          </Button>
        </Flex>
        {advancedOpen && (
          <Card size="small">
            <AdvancedForm
              key={advancedKey}
              initial={{ clauses: request.adv, dateFrom: request.dateFrom, dateTo: request.dateTo }}
              onSearch={(values: AdvancedValues) => refine({ adv: values.clauses, dateFrom: values.dateFrom, dateTo: values.dateTo })}
            />
          </Card>
        )}
      </Flex>
      {active ? (
        <Row gutter={[token.marginLG, token.marginMD]} wrap>
          {!compact && (
            <Col md={7} lg={6}>
              {facets}
            </Col>
          )}
          <Col xs={24} md={17} lg={18} style={{ minWidth: 0 }}>
            <SearchResults
              request={request}
              result={search.data}
              error={search.error}
              fetching={search.isFetching}
              compact={compact}
              onRetry={() => void search.refetch()}
              onSort={(sort) => refine({ sort })}
              onPage={(page) => go({ ...request, page })}
              onOpenFilters={() => setFiltersOpen(true)}
              onClearFilters={clearFilters}
              linkFor={linkFor}
            />
          </Col>
        </Row>
      ) : (
        <Typography.Paragraph type="secondary" data-testid="search-intro">
          {t('result.intro')} {t('syntax')}
        </Typography.Paragraph>
      )}
      {compact && (
        <Drawer
          title={t('facets.title')}
          placement="right"
          size="85%"
          open={filtersOpen}
          onClose={() => setFiltersOpen(false)}
          data-testid="search-filters-drawer"
          footer={
            <Button type="primary" block onClick={() => setFiltersOpen(false)} data-testid="search-filters-done">
              {t('facets.showResults', { total: formatCount(search.data?.total ?? 0, search.data?.approximate ?? false, i18n.language) })}
            </Button>
          }
        >
          {facets}
        </Drawer>
      )}
    </>
  );
}
