/**
 * 接收进馆: the archivist accepts a checked hand-over whose report fails no item.
 * The confirmation repeats what is being taken in (items, files, pass rate); the
 * server adopts the files, creates the catalog records and their preservation
 * events in one go, and answers with what it made.
 */
import { CheckCircleOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Transfer, TransferReport, useAcceptTransfer } from '../../api/transfers.js';
import { formatBytes } from './format-bytes.js';

export interface AcceptButtonProps {
  transfer: Transfer;
  report: TransferReport | undefined;
  /** The page's accept request, whose error the page shows with its other actions'. */
  accept: ReturnType<typeof useAcceptTransfer>;
}

export function AcceptButton({ transfer, report, accept }: AcceptButtonProps) {
  const { t } = useTranslation('transfer');
  const { message } = App.useApp();
  const summary = report?.summary;
  const failed = summary ? summary.items - summary.passedItems : null;
  const allowed = transfer.status === 'checked' && failed === 0 && !accept.isPending;

  const confirm = () =>
    accept.mutate(transfer.id, {
      onSuccess: (done) => void message.success(t('accept.done', { records: done.records, files: done.files, size: formatBytes(done.bytes) })),
    });

  const button = (
    <Button type="primary" icon={<CheckCircleOutlined />} loading={accept.isPending} disabled={!allowed} data-testid="accept">
      {t('detail.accept')}
    </Button>
  );
  if (!summary || failed !== 0) {
    return <Tooltip title={failed ? t('accept.failing', { count: failed }) : t('accept.noReport')}>{button}</Tooltip>;
  }
  return (
    <Popconfirm
      title={t('accept.confirm')}
      description={t('accept.confirmText', { items: summary.items, files: summary.files, size: formatBytes(summary.bytes), passRate: summary.passRate })}
      okText={t('detail.accept')}
      cancelText={t('form.cancel')}
      okButtonProps={{ 'data-testid': 'accept-confirm' }}
      onConfirm={confirm}
      disabled={!allowed}
    >
      {button}
    </Popconfirm>
  );
}
