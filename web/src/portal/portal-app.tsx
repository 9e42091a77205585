/** The public portal at `/`: its shell and pages, and the sign-in pages (/login, /account/*) outside the shell. */
import { Route, Routes } from 'react-router';
import { AccountPasswordPage } from '../pages/account-password/index.js';
import { AccountTotpPage } from '../pages/account-totp/index.js';
import { AppointmentsPage } from '../pages/appointments/index.js';
import { CollectionsPage } from '../pages/collections/index.js';
import { ExhibitionsPage } from '../pages/exhibitions/index.js';
import { HomePage } from '../pages/home/index.js';
import { InquiriesPage } from '../pages/inquiries/index.js';
import { LoginPage } from '../pages/login/index.js';
import { NotFoundPage } from '../pages/not-found/index.js';
import { RecordPage } from '../pages/record/index.js';
import { SearchPage } from '../pages/search/index.js';
import { PortalShell } from './portal-shell.js';

export function PortalApp() {
  return (
    <Routes>
      <Route path="login" element={<LoginPage />} />
      <Route path="account/password" element={<AccountPasswordPage />} />
      <Route path="account/totp" element={<AccountTotpPage />} />
      <Route element={<PortalShell />}>
        <Route index element={<HomePage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="records/:id" element={<RecordPage />} />
        <Route path="collections" element={<CollectionsPage />} />
        <Route path="exhibitions" element={<ExhibitionsPage />} />
        <Route path="appointments" element={<AppointmentsPage />} />
        <Route path="inquiries" element={<InquiriesPage />} />
        <Route path="*" element={<NotFoundPage home="/" site="portal" />} />
      </Route>
    </Routes>
  );
}
