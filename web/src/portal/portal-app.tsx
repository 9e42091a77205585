/** The public portal at `/`: its shell and pages. */
import { Route, Routes } from 'react-router';
import { AppointmentsPage } from '../pages/appointments/index.js';
import { CollectionsPage } from '../pages/collections/index.js';
import { ExhibitionsPage } from '../pages/exhibitions/index.js';
import { HomePage } from '../pages/home/index.js';
import { InquiriesPage } from '../pages/inquiries/index.js';
import { NotFoundPage } from '../pages/not-found/index.js';
import { SearchPage } from '../pages/search/index.js';
import { PortalShell } from './portal-shell.js';

export function PortalApp() {
  return (
    <Routes>
      <Route element={<PortalShell />}>
        <Route index element={<HomePage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="collections" element={<CollectionsPage />} />
        <Route path="exhibitions" element={<ExhibitionsPage />} />
        <Route path="appointments" element={<AppointmentsPage />} />
        <Route path="inquiries" element={<InquiriesPage />} />
        <Route path="*" element={<NotFoundPage home="/" site="portal" />} />
      </Route>
    </Routes>
  );
}
