/** 网上展览: online exhibitions (not built yet). */
import { useTranslation } from 'react-i18next';
import { PlannedPage } from '../../components/planned-page.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function ExhibitionsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('portal.nav.exhibitions'), 'portal');
  return <PlannedPage title={t('portal.nav.exhibitions')} description={t('portal.exhibitions.description')} />;
}
