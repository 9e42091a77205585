/**
 * The catalog table: server-paged, sorted and filtered (the query is the state, the
 * server does the work), with the columns the archivist chose and row selection
 * for the batch actions.
 */
import { Button, Table, Tag, Typography, type TableColumnsType, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { classifications, opennessValues, retentions, type Item, type ItemPage, type ItemSort, type Openness, type Retention } from '../../api/catalog.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { useValueLabels } from './value-labels.js';

/** Columns one may hide or show; 题名 is always shown. */
export const optionalColumns = [
  'archivalCode',
  'itemNo',
  'responsible',
  'date',
  'year',
  'retention',
  'classification',
  'control',
  'openness',
  'pageCount',
  'docNumber',
  'orgCode',
  'opennessDueYear',
  'updatedAt',
] as const;
export type OptionalColumn = (typeof optionalColumns)[number];
export const defaultColumns: readonly OptionalColumn[] = ['archivalCode', 'responsible', 'date', 'retention', 'classification', 'openness', 'pageCount'];

/** What the table asks the server for besides the tree's scope and the search box. */
export interface TableState {
  sort: ItemSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  retention?: Retention;
  openness?: Openness;
  classification?: string;
}

export const initialTableState: TableState = { sort: 'archivalCode', order: 'asc', offset: 0, limit: 20 };

const sortable: Partial<Record<string, ItemSort>> = { archivalCode: 'archivalCode', itemNo: 'itemNo', title: 'title', date: 'date', updatedAt: 'updatedAt' };

export interface ItemsTableProps {
  page: ItemPage | undefined;
  loading: boolean;
  state: TableState;
  onState: (state: TableState) => void;
  visible: readonly OptionalColumn[];
  selected: readonly string[];
  onSelect: (ids: string[]) => void;
  onOpen: (item: Item) => void;
}

function first(values: readonly unknown[] | null | undefined): string | undefined {
  const value = values?.[0];
  return typeof value === 'string' ? value : undefined;
}

export function ItemsTable({ page, loading, state, onState, visible, selected, onSelect, onOpen }: ItemsTableProps) {
  const { t } = useTranslation();
  const labels = useValueLabels();
  const sortOrder = (key: string) => (sortable[key] === state.sort ? (state.order === 'asc' ? 'ascend' : 'descend') : null);
  const column = (key: OptionalColumn | 'title', extra: TableColumnsType<Item>[number]): TableColumnsType<Item>[number] => ({
    key,
    title: t(`admin.catalog.fields.${key}`),
    sorter: sortable[key] !== undefined,
    sortOrder: sortable[key] !== undefined ? sortOrder(key) : undefined,
    ...extra,
  });

  const all: Record<OptionalColumn | 'title', TableColumnsType<Item>[number]> = {
    archivalCode: column('archivalCode', {
      render: (_, item) =>
        item.archivalCode ? <span data-testid="item-code">{item.archivalCode}</span> : <Typography.Text type="secondary">{t('admin.catalog.table.noCode')}</Typography.Text>,
    }),
    itemNo: column('itemNo', { dataIndex: 'itemNo' }),
    title: column('title', {
      render: (_, item) => (
        <Button type="link" size="small" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} onClick={() => onOpen(item)}>
          {item.title}
        </Button>
      ),
    }),
    responsible: column('responsible', { dataIndex: 'responsible' }),
    date: column('date', { dataIndex: 'date' }),
    year: column('year', { dataIndex: 'year' }),
    retention: column('retention', {
      render: (_, item) => labels.retention(item.retention),
      filters: retentions.map((value) => ({ value, text: labels.retention(value) })),
      filterMultiple: false,
      filteredValue: state.retention ? [state.retention] : null,
    }),
    classification: column('classification', {
      render: (_, item) => labels.classification(item.classification) + (item.secrecyTerm ? `★${item.secrecyTerm}` : ''),
      filters: classifications.map((value) => ({ value, text: labels.classification(value) })),
      filterMultiple: false,
      filteredValue: state.classification ? [state.classification] : null,
    }),
    control: column('control', { render: (_, item) => labels.control(item.control) }),
    openness: column('openness', {
      render: (_, item) => (
        <Tag color={item.openness === '开放' ? 'success' : item.openness === '控制' ? 'warning' : 'default'}>{labels.openness(item.openness)}</Tag>
      ),
      filters: opennessValues.map((value) => ({ value, text: labels.openness(value) })),
      filterMultiple: false,
      filteredValue: state.openness ? [state.openness] : null,
    }),
    pageCount: column('pageCount', { dataIndex: 'pageCount', align: 'right' }),
    docNumber: column('docNumber', { dataIndex: 'docNumber' }),
    orgCode: column('orgCode', { dataIndex: 'orgCode' }),
    opennessDueYear: column('opennessDueYear', { dataIndex: 'opennessDueYear' }),
    updatedAt: column('updatedAt', { render: (_, item) => new Date(item.updatedAt).toLocaleString(currentLanguage()) }),
  };
  const rest = optionalColumns.filter((key) => key !== 'archivalCode' && visible.includes(key)).map((key) => all[key]);
  const columns = [...(visible.includes('archivalCode') ? [all.archivalCode] : []), all.title, ...rest];

  const onChange: TableProps<Item>['onChange'] = (pagination, filters, sorter, extra) => {
    const sort = Array.isArray(sorter) ? sorter[0] : sorter;
    const sortKey = typeof sort?.columnKey === 'string' && sort.order ? sortable[sort.columnKey] : undefined;
    const limit = pagination.pageSize ?? state.limit;
    const changedPage = extra.action === 'paginate';
    onState({
      sort: sortKey ?? 'archivalCode',
      order: sortKey && sort?.order === 'descend' ? 'desc' : 'asc',
      limit,
      offset: changedPage ? ((pagination.current ?? 1) - 1) * limit : 0,
      retention: retentions.find((value) => value === first(filters.retention)),
      openness: opennessValues.find((value) => value === first(filters.openness)),
      classification: first(filters.classification),
    });
  };

  return (
    <Table<Item>
      data-testid="catalog-table"
      rowKey="id"
      size="small"
      loading={loading}
      columns={columns}
      dataSource={page?.items ?? []}
      onChange={onChange}
      rowSelection={{ selectedRowKeys: [...selected], onChange: (keys) => onSelect(keys.map(String)), preserveSelectedRowKeys: true }}
      locale={{ emptyText: t('admin.catalog.table.empty') }}
      pagination={{
        current: Math.floor(state.offset / state.limit) + 1,
        pageSize: state.limit,
        total: page?.total ?? 0,
        showSizeChanger: true,
        pageSizeOptions: [20, 50, 100, 200],
        showTotal: (total) => t('admin.catalog.table.total', { total }),
      }}
      scroll={{ x: 'max-content' }}
      onRow={(item) => ({ 'data-testid': `item-row-${item.id}`, 'data-visibility': item.visibility }) as React.HTMLAttributes<HTMLElement>}
      showSorterTooltip={{ target: 'sorter-icon' }}
    />
  );
}
