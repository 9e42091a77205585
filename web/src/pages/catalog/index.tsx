/**
 * 著录编目, the archivist's arrangement workbench: the fonds → category → year tree
 * on the left, the server-paged catalog table on the right, and the arrangement
 * actions over it — describe, import a catalog, generate archival codes, change in
 * batches, check item numbers, export and print. Everything shown is what the
 * signed-in viewer may see; the server decides who may change what.
 */
import { DownloadOutlined, FileSearchOutlined, ImportOutlined, NumberOutlined, PlusOutlined, PrinterOutlined, EditOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Input, Row, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCategories, useFonds, useItems, useTree, type Item, type ItemDetail, type ItemFilters } from '../../api/catalog.js';
import type { CodeRequest } from '../../api/catalog-arrange.js';
import { exportPath, printPath } from '../../api/catalog-import.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { BatchModal } from './batch-modal.js';
import { CatalogTree, scopeLabel, type Scope } from './catalog-tree.js';
import { CodesModal } from './codes-modal.js';
import { ColumnChooser, useChosenColumns } from './column-chooser.js';
import { ContinuityModal } from './continuity-modal.js';
import { ImportWizard } from './import-wizard.js';
import { ItemDetailDrawer } from './item-detail-drawer.js';
import { ItemFormDrawer } from './item-form-drawer.js';
import { initialTableState, ItemsTable, type TableState } from './items-table.js';

type Coded = 'all' | 'coded' | 'uncoded';
type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; item: ItemDetail }
  | { kind: 'codes'; target: Pick<CodeRequest, 'itemIds' | 'filter'>; scopeText: string }
  | { kind: 'batch' | 'import' | 'continuity' }
  | null;

export function CatalogPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const title = t('admin.groups.arrange.items.catalog.title');
  useDocumentTitle(title, 'workbench');
  const fonds = useFonds();
  const categories = useCategories();
  const tree = useTree();
  const [scope, setScope] = useState<Scope>({});
  const [table, setTable] = useState<TableState>(initialTableState);
  const [q, setQ] = useState('');
  const [coded, setCoded] = useState<Coded>('all');
  const [selected, setSelected] = useState<string[]>([]);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [detailId, setDetailId] = useState<string | null>(null);
  const [columns, setColumns] = useChosenColumns();

  const filters: ItemFilters = {
    ...scope,
    q: q.trim() || undefined,
    uncoded: coded === 'all' ? undefined : coded === 'uncoded',
    retention: table.retention,
    openness: table.openness,
    classification: table.classification,
  };
  const items = useItems({ ...filters, sort: table.sort, order: table.order, offset: table.offset, limit: table.limit });
  const fondsList = fonds.data ?? [];
  const categoryList = categories.data ?? [];
  const scopeText = scopeLabel(scope, fondsList, categoryList) || t('admin.catalog.tree.all');
  // New items and imports go where the tree points, or into the only fonds there is.
  const defaults = { fondsId: scope.fondsId ?? (fondsList.length === 1 ? fondsList[0]?.id : undefined), categoryId: scope.categoryId };

  const chooseScope = (next: Scope) => {
    setScope(next);
    setSelected([]);
    setTable((current) => ({ ...current, offset: 0 }));
  };

  const generateCodes = () => {
    if (selected.length > 0) setDialog({ kind: 'codes', target: { itemIds: selected }, scopeText: t('admin.catalog.codes.scopeSelected', { count: selected.length }) });
    else if (scope.fondsId) setDialog({ kind: 'codes', target: { filter: { fondsId: scope.fondsId, categoryId: scope.categoryId, year: scope.year } }, scopeText: t('admin.catalog.codes.scopeNode', { node: scopeText }) });
    else void message.info(t('admin.catalog.codes.needScope'));
  };

  const failed = fonds.error ?? categories.error ?? tree.error;
  if (failed) {
    return (
      <>
        <Typography.Title level={2} data-testid="page-title">
          {title}
        </Typography.Title>
        <RefusedOrError error={failed} onRetry={() => void Promise.all([fonds.refetch(), categories.refetch(), tree.refetch()])} />
      </>
    );
  }

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.catalog.intro')}</Typography.Paragraph>
      <Row gutter={[16, 16]} wrap>
        <Col xs={24} lg={6} xxl={5}>
          <Card size="small" title={t('admin.catalog.tree.title')} loading={fonds.isPending || categories.isPending || tree.isPending}>
            <CatalogTree fonds={fondsList} categories={categoryList} entries={tree.data ?? []} scope={scope} onSelect={chooseScope} />
          </Card>
        </Col>
        <Col xs={24} lg={18} xxl={19}>
          <Card size="small" title={scopeText}>
            <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
              <Space wrap>
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ kind: 'create' })} data-testid="catalog-create">
                  {t('admin.catalog.toolbar.create')}
                </Button>
                <Button icon={<ImportOutlined />} onClick={() => setDialog({ kind: 'import' })} data-testid="catalog-import">
                  {t('admin.catalog.toolbar.import')}
                </Button>
                <Button icon={<NumberOutlined />} onClick={generateCodes} data-testid="catalog-generate-codes">
                  {t('admin.catalog.toolbar.generateCodes')}
                </Button>
                <Button
                  icon={<EditOutlined />}
                  onClick={() => (selected.length > 0 ? setDialog({ kind: 'batch' }) : void message.info(t('admin.catalog.batch.needSelection')))}
                  data-testid="catalog-batch"
                >
                  {t('admin.catalog.toolbar.batch')}
                </Button>
                <Button
                  icon={<FileSearchOutlined />}
                  onClick={() => (scope.fondsId ? setDialog({ kind: 'continuity' }) : void message.info(t('admin.catalog.continuity.needFonds')))}
                  data-testid="catalog-continuity"
                >
                  {t('admin.catalog.toolbar.continuity')}
                </Button>
              </Space>
              <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
                <Space wrap>
                  <Input.Search
                    allowClear
                    style={{ width: 280 }}
                    placeholder={t('admin.catalog.toolbar.search')}
                    onSearch={(value) => {
                      setQ(value);
                      setTable((current) => ({ ...current, offset: 0 }));
                    }}
                    data-testid="catalog-search"
                  />
                  <Segmented<Coded>
                    value={coded}
                    onChange={(value) => {
                      setCoded(value);
                      setTable((current) => ({ ...current, offset: 0 }));
                    }}
                    options={[
                      { value: 'all', label: t('admin.catalog.toolbar.codedAll') },
                      { value: 'coded', label: t('admin.catalog.toolbar.coded') },
                      { value: 'uncoded', label: t('admin.catalog.toolbar.uncoded') },
                    ]}
                  />
                  {selected.length > 0 && (
                    <Space size={4}>
                      <Typography.Text>{t('admin.catalog.toolbar.selected', { count: selected.length })}</Typography.Text>
                      <Button type="link" size="small" onClick={() => setSelected([])}>
                        {t('admin.catalog.toolbar.clearSelection')}
                      </Button>
                    </Space>
                  )}
                </Space>
                <Space wrap>
                  <Button icon={<DownloadOutlined />} href={exportPath(filters)} download data-testid="catalog-export">
                    {t('admin.catalog.toolbar.export')}
                  </Button>
                  <Button icon={<PrinterOutlined />} href={printPath(filters)} target="_blank" rel="noopener" data-testid="catalog-print">
                    {t('admin.catalog.toolbar.print')}
                  </Button>
                  <ColumnChooser value={columns} onChange={setColumns} />
                </Space>
              </Space>
              {items.error && <RefusedOrError error={items.error} onRetry={() => void items.refetch()} />}
              <ItemsTable
                page={items.data}
                loading={items.isFetching}
                state={table}
                onState={setTable}
                visible={columns}
                selected={selected}
                onSelect={setSelected}
                onOpen={(item: Item) => setDetailId(item.id)}
              />
            </Space>
          </Card>
        </Col>
      </Row>
      {detailId !== null && (
        <ItemDetailDrawer
          id={detailId}
          categories={categoryList}
          onClose={() => setDetailId(null)}
          onEdit={(item) => {
            setDetailId(null);
            setDialog({ kind: 'edit', item });
          }}
        />
      )}
      {(dialog?.kind === 'create' || dialog?.kind === 'edit') && (
        <ItemFormDrawer item={dialog.kind === 'edit' ? dialog.item : null} defaults={defaults} fonds={fondsList} categories={categoryList} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'codes' && <CodesModal target={dialog.target} scopeText={dialog.scopeText} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'batch' && <BatchModal itemIds={selected} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'continuity' && <ContinuityModal scope={scope} scopeText={scopeText} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'import' && (
        <ImportWizard fonds={fondsList} categories={categoryList} defaults={defaults} onClose={() => setDialog(null)} onImported={(target) => chooseScope(target)} />
      )}
    </>
  );
}
