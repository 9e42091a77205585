/** 档案检索: full-text and catalogue search of open records (not built yet). */
import { Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PlannedPage } from '../../components/planned-page.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function SearchPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  useDocumentTitle(t('portal.nav.search'), 'portal');

  return (
    <PlannedPage title={t('portal.nav.search')} description={t('portal.search.description')}>
      <Input.Search
        key={query}
        aria-label={t('portal.home.searchLabel')}
        placeholder={t('portal.home.searchPlaceholder')}
        enterButton={t('portal.home.searchButton')}
        defaultValue={query}
        allowClear
        onSearch={(value) => setParams(value.trim() === '' ? {} : { q: value.trim() })}
        style={{ marginBottom: 16 }}
      />
      {query !== '' && (
        <Typography.Paragraph data-testid="search-query">{t('portal.search.yourQuery', { query })}</Typography.Paragraph>
      )}
    </PlannedPage>
  );
}
