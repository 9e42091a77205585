/** The archive workbench at `/admin`: its shell and pages, routed from the function groups. */
import { Route, Routes } from 'react-router';
import { AdminDashboardPage } from '../pages/admin-dashboard/index.js';
import { AdminGroupPage } from '../pages/admin-group/index.js';
import { AdminPlannedPage } from '../pages/admin-planned/index.js';
import { RequireStaff } from '../components/require-staff.js';
import { NotFoundPage } from '../pages/not-found/index.js';
import { AdminShell } from './admin-shell.js';
import { adminGroups } from './admin-sections.js';

/** Route paths are relative to /admin, where this app is mounted. */
function relative(path: string): string {
  return path.replace(/^\/admin\//, '');
}

export function AdminApp() {
  return (
    <Routes>
      <Route
        element={
          <RequireStaff>
            <AdminShell />
          </RequireStaff>
        }
      >
        <Route index element={<AdminDashboardPage />} />
        {adminGroups.map((group) => (
          <Route key={group.path} path={relative(group.path)} element={<AdminGroupPage group={group} />} />
        ))}
        {adminGroups.flatMap((group) =>
          group.items.map(({ page: Page, ...item }) => (
            <Route key={item.path} path={relative(item.path)} element={Page ? <Page /> : <AdminPlannedPage item={item} />} />
          )),
        )}
        <Route path="*" element={<NotFoundPage home="/admin" site="workbench" />} />
      </Route>
    </Routes>
  );
}
