/** 专题数据库: thematic databases (not built yet). */
import { useTranslation } from 'react-i18next';
import { PlannedPage } from '../../components/planned-page.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function CollectionsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('portal.nav.collections'), 'portal');
  return <PlannedPage title={t('portal.nav.collections')} description={t('portal.collections.description')} />;
}
