/**
 * One item: its description, the category's own fields, its files (for those who
 * may see the content, each with its thumbnail, to preview page by page, open or
 * download), its archival code history (档号变更记录) and, for archivists, its
 * preservation information. Opening a controlled item or reading its files is
 * audited by the server.
 */
import { DownloadOutlined, EditOutlined, EyeOutlined, FileImageOutlined } from '@ant-design/icons';
import { Button, Descriptions, Drawer, Skeleton, Space, Table, Tag, Tooltip, Typography, type DescriptionsProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFilePreviews } from '../../api/access-copies.js';
import { useSession } from '../../api/auth.js';
import { itemFilePath, useItem, type Category, type ItemDetail } from '../../api/catalog.js';
import { QueryError } from '../../components/query-error.js';
import type { CatalogMessages } from '../../i18n/catalog-zh-CN.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { FileThumbnail } from './file-thumbnail.js';
import { PageViewer } from './page-viewer.js';
import { PreservationSection } from './preservation-section.js';
import { useValueLabels } from './value-labels.js';

export interface ItemDetailDrawerProps {
  id: string;
  categories: readonly Category[];
  onEdit: (item: ItemDetail) => void;
  onClose: () => void;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function ItemDetailDrawer({ id, categories, onEdit, onClose }: ItemDetailDrawerProps) {
  const { t } = useTranslation();
  const item = useItem(id);
  const detail = item.data;
  return (
    <Drawer
      open
      size={760}
      title={detail?.title ?? t('admin.catalog.detail.title')}
      onClose={onClose}
      destroyOnHidden
      extra={
        detail && (
          <Button icon={<EditOutlined />} onClick={() => onEdit(detail)} data-testid="item-edit">
            {t('admin.catalog.detail.edit')}
          </Button>
        )
      }
    >
      {item.error && <QueryError error={item.error} onRetry={() => void item.refetch()} />}
      {item.isPending && <Skeleton active />}
      {detail && <ItemDetailBody detail={detail} category={categories.find((c) => c.id === detail.categoryId)} />}
    </Drawer>
  );
}

function ItemDetailBody({ detail, category }: { detail: ItemDetail; category: Category | undefined }) {
  const { t } = useTranslation();
  const labels = useValueLabels();
  const session = useSession();
  const previews = useFilePreviews(detail.id, detail.files);
  const [viewing, setViewing] = useState<{ fileId: string; name: string } | null>(null);
  const previewOf = (fileId: string) => previews.data?.find((p) => p.fileId === fileId);
  const pagesOf = (fileId: string) => previewOf(fileId)?.pages ?? [];
  const isArchivist = session.data?.user.roles.includes('archivist') ?? false;
  const none = <Typography.Text type="secondary">{t('admin.catalog.detail.none')}</Typography.Text>;
  const field = (key: FieldKey, value: React.ReactNode, span?: number) => ({ key, label: t(`admin.catalog.fields.${key}`), children: value === null || value === '' ? none : value, span });
  const items: DescriptionsProps['items'] = [
    field('archivalCode', detail.archivalCode ? <Typography.Text copyable data-testid="detail-code">{detail.archivalCode}</Typography.Text> : null, 2),
    field('fonds', `${detail.fondsCode} · ${detail.agencyName}`),
    field('category', category ? `${category.code} ${category.name}` : detail.categoryCode),
    field('title', detail.title, 2),
    field('responsible', detail.responsible),
    field('date', detail.date),
    field('year', detail.year),
    field('retention', labels.retention(detail.retention)),
    field('classification', labels.classification(detail.classification) + (detail.secrecyTerm ? `★${detail.secrecyTerm}` : '')),
    field('control', detail.control ? labels.control(detail.control) : null),
    field('openness', <Tag>{labels.openness(detail.openness)}</Tag>),
    field('opennessDueYear', detail.opennessDueYear),
    field('orgCode', detail.orgCode),
    field('aggregationLevel', detail.aggregationLevel),
    field('combinationType', labels.combination(detail.combinationType)),
    field('docNumber', detail.docNumber),
    field('docType', detail.docType),
    field('urgency', detail.urgency),
    field('pageCount', detail.pageCount),
    field('mainRecipients', detail.mainRecipients),
    field('copyRecipients', detail.copyRecipients),
    field('subjectTerms', detail.subjectTerms),
    field('keywords', detail.keywords),
    field('abstract', detail.abstract, 2),
    field('remarks', detail.remarks, 2),
    field('agencyOpennessOpinion', detail.agencyOpennessOpinion, 2),
  ];
  const english = currentLanguage() === 'en';
  const extensions: DescriptionsProps['items'] = (category?.fields ?? []).map((f) => ({
    key: f.key,
    label: english && f.labelEn ? f.labelEn : f.label,
    children: detail.extensions[f.key] ?? none,
  }));
  return (
    <>
      <Descriptions size="small" bordered column={2} items={items} data-testid="item-detail" />
      {extensions.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('admin.catalog.form.categoryFields')}
          </Typography.Title>
          <Descriptions size="small" bordered column={2} items={extensions} />
        </>
      )}
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('admin.catalog.detail.files')}
      </Typography.Title>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={detail.files}
        locale={{ emptyText: t('admin.catalog.detail.noFiles') }}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'position', dataIndex: 'position', title: '#' },
          // No column at all when the reader may not see the content (the list is empty).
          ...(previews.data && previews.data.length > 0
            ? [
                {
                  key: 'thumbnail',
                  title: t('admin.catalog.detail.thumbnail'),
                  render: (_: unknown, f: ItemDetail['files'][number]) => (
                    <FileThumbnail
                      itemId={detail.id}
                      position={f.position}
                      name={f.name}
                      preview={previewOf(f.id)}
                      onOpen={pagesOf(f.id).length > 0 ? () => setViewing({ fileId: f.id, name: f.name }) : undefined}
                    />
                  ),
                },
              ]
            : []),
          { key: 'name', dataIndex: 'name', title: t('admin.catalog.detail.fileName') },
          { key: 'role', dataIndex: 'role', title: t('admin.catalog.detail.fileRole') },
          { key: 'size', title: t('admin.catalog.detail.fileSize'), render: (_, f) => size(f.size), align: 'right' },
          { key: 'pages', dataIndex: 'pageCount', title: t('admin.catalog.detail.filePages'), align: 'right' },
          {
            key: 'read',
            render: (_, f) => (
              <Space size={0}>
                {previewOf(f.id) && (
                  <Tooltip title={pagesOf(f.id).length === 0 ? t('admin.catalog.detail.noPreview') : undefined}>
                    <Button
                      type="link"
                      size="small"
                      icon={<FileImageOutlined />}
                      disabled={pagesOf(f.id).length === 0}
                      onClick={() => setViewing({ fileId: f.id, name: f.name })}
                      data-testid={`file-preview-${f.position}`}
                    >
                      {t('admin.catalog.detail.preview')}
                    </Button>
                  </Tooltip>
                )}
                <Button type="link" size="small" icon={<EyeOutlined />} href={itemFilePath(detail.id, f.id)} target="_blank" rel="noopener" data-testid={`file-open-${f.position}`}>
                  {t('admin.catalog.detail.open')}
                </Button>
                <Button type="link" size="small" icon={<DownloadOutlined />} href={itemFilePath(detail.id, f.id, true)} download data-testid={`file-download-${f.position}`}>
                  {t('admin.catalog.detail.download')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('admin.catalog.detail.codeHistory')}
      </Typography.Title>
      <Table
        rowKey={(h) => `${h.changedAt}-${h.newCode ?? ''}`}
        size="small"
        pagination={false}
        dataSource={detail.codeHistory}
        data-testid="code-history"
        locale={{ emptyText: t('admin.catalog.detail.noHistory') }}
        columns={[
          { key: 'old', title: t('admin.catalog.detail.oldCode'), render: (_, h) => h.oldCode ?? '—' },
          { key: 'new', title: t('admin.catalog.detail.newCode'), render: (_, h) => h.newCode ?? '—' },
          { key: 'reason', dataIndex: 'reason', title: t('admin.catalog.detail.reason') },
          { key: 'at', title: t('admin.catalog.detail.changedAt'), render: (_, h) => new Date(h.changedAt).toLocaleString(currentLanguage()) },
        ]}
      />
      {isArchivist && <PreservationSection itemId={detail.id} />}
      {viewing && <PageViewer itemId={detail.id} fileId={viewing.fileId} name={viewing.name} pages={pagesOf(viewing.fileId)} onClose={() => setViewing(null)} />}
    </>
  );
}

type FieldKey = keyof CatalogMessages['fields'];
