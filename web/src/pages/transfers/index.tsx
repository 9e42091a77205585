/**
 * 移交管理 (/admin/receive/transfers): an agency's clerk prepares and submits its
 * hand-overs here and corrects returned ones; an archivist sees every agency's
 * and registers offline ones. `?id=` opens one hand-over, so a link or a reload
 * lands on it again.
 */
import { Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { TransferStatus } from '../../api/transfers.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import type { MessageKey } from '../../i18n/message-key.js';
import { TransferDetail } from './transfer-detail.js';
import { TransferList } from './transfer-list.js';
import { useTransferRole } from './use-transfer-role.js';

export interface TransferWorkspaceProps {
  title: MessageKey;
  /** The list's first status filter. */
  initialStatus?: TransferStatus;
}

/** The list of hand-overs, or the one named by `?id=`. */
export function TransferWorkspace({ title, initialStatus }: TransferWorkspaceProps) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const [params, setParams] = useSearchParams();
  const role = useTransferRole();
  const heading = tBase(title);
  useDocumentTitle(heading, 'workbench');
  const id = params.get('id');
  const open = (next: string) => setParams({ id: next });

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {heading}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{role.isArchivist ? t('intro.archivist') : t('intro.clerk')}</Typography.Paragraph>
      {id ? <TransferDetail key={id} id={id} role={role} onBack={() => setParams({})} onOpen={open} /> : <TransferList role={role} initialStatus={initialStatus} onOpen={open} />}
    </>
  );
}

export function TransfersPage() {
  return <TransferWorkspace title="admin.groups.receive.items.transfers.title" />;
}
