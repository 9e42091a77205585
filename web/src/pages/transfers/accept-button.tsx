/**
 * 接收进馆: opens the accept dialog for a checked hand-over that has at least one
 * item the archive may take in (one that did not fail the checks); the rest can go
 * back to the agency from the dialog.
 */
import { CheckCircleOutlined } from '@ant-design/icons';
import { Button, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Transfer, TransferReport } from '../../api/transfers.js';

export interface AcceptButtonProps {
  transfer: Transfer;
  report: TransferReport | undefined;
  onOpen: () => void;
}

export function AcceptButton({ transfer, report, onOpen }: AcceptButtonProps) {
  const { t } = useTranslation('transfer');
  const checked = report?.summary !== null && report?.summary !== undefined;
  const acceptable = report?.items.some((item) => item.result !== '不通过') ?? false;
  const allowed = transfer.status === 'checked' && checked && acceptable;

  const button = (
    <Button type="primary" icon={<CheckCircleOutlined />} disabled={!allowed} onClick={onOpen} data-testid="accept-open">
      {t('detail.accept')}
    </Button>
  );
  if (allowed) return button;
  return <Tooltip title={checked ? t('accept.allFailed') : t('accept.noReport')}>{button}</Tooltip>;
}
