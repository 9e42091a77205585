/**
 * 四性检测 (/admin/receive/checks): the archive's queue of checked hand-overs
 * waiting for a decision — the report, 退回 with reasons, and 接收进馆 (all of
 * it, or some items with the rest returned). The same workspace as 移交管理,
 * starting with status 已检测 for archivists; a clerk sees its own agency's
 * hand-overs and their reports.
 */
import { useTransferRole } from '../transfers/use-transfer-role.js';
import { TransferWorkspace } from '../transfers/index.js';

export function TransferChecksPage() {
  const role = useTransferRole();
  return <TransferWorkspace title="admin.groups.receive.items.checks.title" initialStatus={role.isArchivist ? 'checked' : undefined} />;
}
