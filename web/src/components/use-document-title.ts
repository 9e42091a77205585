import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

export type Site = 'portal' | 'workbench';

/** Sets the browser tab title to "page · site" in the current language. */
export function useDocumentTitle(page: string, site: Site): void {
  const { t } = useTranslation();
  const siteName = site === 'portal' ? t('app.portalName') : t('app.workbenchName');
  useEffect(() => {
    document.title = t('app.documentTitle', { page, site: siteName });
  }, [page, siteName, t]);
}
