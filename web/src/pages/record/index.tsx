/**
 * 档案详情 on the portal (/records/:id): title, 档号, the description a reader
 * needs (only the fields the record has), and its files when the reader may see
 * the content. A record that does not exist and one the reader may not see both
 * answer 404, and both read as "not found".
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Descriptions, Result, Skeleton, Typography, theme, type DescriptionsProps } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams } from 'react-router';
import { useCategories, useFonds, useItem, type ItemDetail } from '../../api/catalog.js';
import { ApiError } from '../../api/client.js';
import { formatArchivalDate } from '../../api/search.js';
import { QueryError } from '../../components/query-error.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { currentLanguage } from '../../i18n/i18n.js';
import type { SearchMessages } from '../../i18n/search-zh-CN.js';
import { useValueLabels } from '../catalog/value-labels.js';
import { OpennessTag } from '../search/openness-tag.js';
import { RecordFiles } from './record-files.js';

type FieldKey = keyof SearchMessages['record']['fields'];

export function RecordPage() {
  const { t } = useTranslation('search');
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const item = useItem(id);
  const notFound = item.error instanceof ApiError && item.error.status === 404;
  useDocumentTitle(notFound ? t('record.notFoundTitle') : (item.data?.title ?? t('record.title')), 'portal');

  if (notFound) {
    return (
      <Result
        status="404"
        title={t('record.notFoundTitle')}
        subTitle={t('record.notFoundText')}
        extra={
          <Button type="primary" onClick={() => void navigate('/search')}>
            {t('record.backToSearch')}
          </Button>
        }
        data-testid="record-not-found"
      />
    );
  }
  if (item.error) return <QueryError error={item.error} onRetry={() => void item.refetch()} />;
  if (!item.data) return <Skeleton active paragraph={{ rows: 8 }} />;

  // Came here from a search on this site: go back to those results; opened from a link: go to search.
  const back = () => void (location.key !== 'default' ? navigate(-1) : navigate('/search'));
  return (
    <>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={back} style={{ paddingInline: 0 }} data-testid="record-back">
        {t('record.back')}
      </Button>
      <RecordBody detail={item.data} />
    </>
  );
}

function RecordBody({ detail }: { detail: ItemDetail }) {
  const { t } = useTranslation('search');
  const { token } = theme.useToken();
  const labels = useValueLabels();
  const fonds = useFonds().data?.find((f) => f.id === detail.fondsId);
  const categories = useCategories().data ?? [];
  const category = categories.find((c) => c.id === detail.categoryId);

  const field = (key: FieldKey, value: ReactNode) => ({ key, label: t(`record.fields.${key}`), children: value });
  const present = (value: string | number | null): value is string | number => value !== null && value !== '';
  const items: DescriptionsProps['items'] = [
    detail.archivalCode !== null
      ? field(
          'archivalCode',
          <Typography.Text copyable data-testid="record-code">
            {detail.archivalCode}
          </Typography.Text>,
        )
      : null,
    present(detail.responsible) ? field('responsible', detail.responsible) : null,
    present(detail.date) ? field('date', formatArchivalDate(detail.date)) : null,
    present(detail.docNumber) ? field('docNumber', detail.docNumber) : null,
    present(detail.docType) ? field('docType', detail.docType) : null,
    field('fonds', fonds ? `${fonds.code} ${fonds.name}` : detail.fondsCode),
    field('category', category ? category.name : detail.categoryCode),
    field('retention', labels.retention(detail.retention)),
    field('openness', <OpennessTag value={detail.openness} />),
    present(detail.pageCount) ? field('pageCount', detail.pageCount) : null,
    present(detail.subjectTerms) ? field('subjectTerms', detail.subjectTerms) : null,
    present(detail.keywords) ? field('keywords', detail.keywords) : null,
    present(detail.abstract) ? { ...field('abstract', detail.abstract), span: 'filled' as const } : null,
  ].filter((entry) => entry !== null);

  // The category's own fields (a photograph's photographer and place…), where the record has a value.
  const english = currentLanguage() === 'en';
  for (const declared of category?.fields ?? []) {
    const value = detail.extensions[declared.key];
    if (value !== undefined && value !== null && value !== '') items.push({ key: `ext-${declared.key}`, label: english && declared.labelEn ? declared.labelEn : declared.label, children: value });
  }

  return (
    <>
      <Typography.Title level={2} data-testid="record-title" style={{ overflowWrap: 'anywhere' }}>
        {detail.title}
      </Typography.Title>
      <Typography.Title level={4}>{t('record.metadata')}</Typography.Title>
      <Descriptions bordered size="small" column={{ xs: 1, sm: 1, md: 2 }} items={items} data-testid="record-metadata" style={{ marginBottom: token.marginLG }} />
      <Typography.Title level={4}>{t('record.files')}</Typography.Title>
      <RecordFiles detail={detail} />
    </>
  );
}
