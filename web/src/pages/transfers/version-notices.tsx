/**
 * A returned hand-over's reasons (the whole and item by item) with the clerk's way
 * forward — 修改后重新移交, a new version copying the items and files — and, on
 * that new version, what it corrects. A returned hand-over gets one new version:
 * once it exists the button leads there instead of making another.
 */
import { Alert, App, Button, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNewVersion, useTransfer, useTransfers, type Transfer, type TransferReport } from '../../api/transfers.js';
import { QueryError } from '../../components/query-error.js';

function ItemReasons({ report }: { report: TransferReport | undefined }) {
  const { t } = useTranslation('transfer');
  const items = (report?.items ?? []).filter((item) => item.returnReason);
  if (items.length === 0) return null;
  return (
    <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="return-item-reasons">
      {items.map((item) => (
        <li key={item.id}>{t('returned.itemReason', { position: item.position, title: item.title, reason: item.returnReason })}</li>
      ))}
    </ul>
  );
}

export interface ReturnedNoticeProps {
  transfer: Transfer;
  report: TransferReport | undefined;
  /** Clerks correct and hand over again; archivists only read. */
  mayResubmit: boolean;
  onOpen: (id: string) => void;
}

export function ReturnedNotice({ transfer, report, mayResubmit, onOpen }: ReturnedNoticeProps) {
  const { t } = useTranslation('transfer');
  const { message } = App.useApp();
  const all = useTransfers({});
  const next = all.data?.find((candidate) => candidate.previousId === transfer.id);
  const newVersion = useNewVersion();

  const resubmit = () =>
    newVersion.mutate(transfer.id, {
      onSuccess: ({ id }) => {
        void message.success(t('returned.created', { version: transfer.version + 1 }));
        onOpen(id);
      },
    });

  return (
    <Alert
      type="error"
      showIcon
      data-testid="returned-notice"
      title={t('returned.title')}
      description={
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text data-testid="return-reason-text">{transfer.returnReason}</Typography.Text>
          <ItemReasons report={report} />
          {newVersion.error && <QueryError error={newVersion.error} />}
        </Space>
      }
      action={
        next ? (
          <Button onClick={() => onOpen(next.id)} data-testid="open-next-version">
            {t('returned.openNext', { version: next.version })}
          </Button>
        ) : (
          mayResubmit && (
            <Button type="primary" loading={newVersion.isPending} disabled={all.isPending} onClick={resubmit} data-testid="new-version">
              {t('returned.resubmit')}
            </Button>
          )
        )
      }
    />
  );
}

/** On a new version: which version it corrects and why that one was returned. */
export function CorrectionNotice({ transfer, previousReport, onOpen }: { transfer: Transfer; previousReport: TransferReport | undefined; onOpen: (id: string) => void }) {
  const { t } = useTranslation('transfer');
  const previous = useTransfer(transfer.previousId);
  if (!transfer.previousId) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="correction-notice"
      title={t('returned.correcting', { version: transfer.version, previous: transfer.version - 1 })}
      description={
        <Space orientation="vertical" style={{ width: '100%' }}>
          {previous.data?.returnReason && <Typography.Text>{t('returned.previousReason', { reason: previous.data.returnReason })}</Typography.Text>}
          <ItemReasons report={previousReport} />
        </Space>
      }
      action={
        <Button size="small" onClick={() => onOpen(transfer.previousId ?? '')}>
          {t('returned.openPrevious')}
        </Button>
      }
    />
  );
}
