/**
 * The guard of the workbench: anonymous visitors go to /login?next=…, an open
 * step (password change, second factor) is finished first, and users without
 * a staff role see the 403 page instead of the workbench.
 */
import { Spin } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { isStaff, useSession } from '../api/auth.js';
import { ForbiddenPage } from '../pages/forbidden/index.js';
import { destinationAfterSignIn, loginPath } from './after-sign-in.js';
import { QueryError } from './query-error.js';

export function RequireStaff({ children }: { children: ReactNode }) {
  const location = useLocation();
  const session = useSession();
  const here = `${location.pathname}${location.search}`;

  if (session.isPending) return <Spin fullscreen />;
  if (session.error) return <QueryError error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) return <Navigate to={loginPath(here)} replace />;
  const destination = destinationAfterSignIn(session.data, here);
  if (destination !== here) return <Navigate to={destination} replace />;
  if (!isStaff(session.data)) return <ForbiddenPage />;
  return children;
}
