/**
 * Who is looking at the hand-overs: an agency's clerk prepares and submits its own
 * agency's; an archivist sees every agency's, registers offline ones and decides.
 * The server enforces this; the pages only show each side its own actions.
 */
import { useSession } from '../../api/auth.js';

export interface TransferRole {
  isArchivist: boolean;
  isClerk: boolean;
  organisationId: string | null;
}

export function useTransferRole(): TransferRole {
  const session = useSession();
  const roles = session.data?.user.roles ?? [];
  return {
    isArchivist: roles.includes('archivist'),
    isClerk: roles.includes('agency_clerk'),
    organisationId: session.data?.user.organisationId ?? null,
  };
}
