/** A workbench function that is not built yet: its name and what it will hold, nothing made up. */
import { useTranslation } from 'react-i18next';
import type { AdminItem } from '../../admin/admin-sections.js';
import { PlannedPage } from '../../components/planned-page.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function AdminPlannedPage({ item }: { item: AdminItem }) {
  const { t } = useTranslation();
  useDocumentTitle(t(item.title), 'workbench');
  return <PlannedPage title={t(item.title)} description={`${t(item.description)}${t('admin.planned')}`} />;
}
