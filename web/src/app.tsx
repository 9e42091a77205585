/**
 * The web client's root: Ant Design in the reader's language, the query
 * client, and the two shells, each loaded on demand, so a visitor of the public
 * portal does not download the workbench.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes } from 'react-router';
import { themeFor } from './theme.js';

const PortalApp = lazy(async () => ({ default: (await import('./portal/portal-app.js')).PortalApp }));
const AdminApp = lazy(async () => ({ default: (await import('./admin/admin-app.js')).AdminApp }));

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
});

const reducedMotionQuery = '(prefers-reduced-motion: reduce)';

function subscribeToMotionPreference(onChange: () => void): () => void {
  const query = window.matchMedia(reducedMotionQuery);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** Whether the reader's system asks for reduced motion, following changes while the page is open. */
function usePrefersReducedMotion(): boolean {
  return useSyncExternalStore(subscribeToMotionPreference, () => window.matchMedia(reducedMotionQuery).matches);
}

export function App() {
  const { i18n } = useTranslation();
  const reduceMotion = usePrefersReducedMotion();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN} theme={themeFor(reduceMotion)}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Suspense fallback={<Spin fullscreen />}>
              <Routes>
                <Route path="/admin/*" element={<AdminApp />} />
                <Route path="/*" element={<PortalApp />} />
              </Routes>
            </Suspense>
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
