/** 咨询: questions from the public about records and their use (not built yet). */
import { useTranslation } from 'react-i18next';
import { PlannedPage } from '../../components/planned-page.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function InquiriesPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('portal.nav.inquiries'), 'portal');
  return <PlannedPage title={t('portal.nav.inquiries')} description={t('portal.inquiries.description')} />;
}
