/** 预约查档: appointments to consult records in the reading room (not built yet). */
import { useTranslation } from 'react-i18next';
import { PlannedPage } from '../../components/planned-page.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function AppointmentsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('portal.nav.appointments'), 'portal');
  return <PlannedPage title={t('portal.nav.appointments')} description={t('portal.appointments.description')} />;
}
