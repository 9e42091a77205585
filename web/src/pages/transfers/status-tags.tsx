/** Tags for a hand-over's status and for check results, in the reader's language. */
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CheckResult, TransferStatus } from '../../api/transfers.js';

const statusColours: Record<TransferStatus, string> = {
  draft: 'default',
  submitted: 'processing',
  checking: 'processing',
  checked: 'gold',
  accepted: 'success',
  returned: 'error',
};

const resultKeys = { 通过: 'passed', 警告: 'warning', 不通过: 'failed', 未检测: 'notChecked' } as const;
const resultColours = { 通过: 'success', 警告: 'warning', 不通过: 'error', 未检测: 'default' } as const;

export function StatusTag({ status }: { status: TransferStatus }) {
  const { t } = useTranslation('transfer');
  return (
    <Tag color={statusColours[status]} data-testid="transfer-status" data-status={status}>
      {t(`status.${status}`)}
    </Tag>
  );
}

function isResult(value: string): value is CheckResult {
  return Object.hasOwn(resultKeys, value);
}

/** A check result (通过, 警告, 不通过, 未检测); an item not checked yet shows nothing. */
export function ResultTag({ result }: { result: string | null }) {
  const { t } = useTranslation('transfer');
  if (result === null) return null;
  if (!isResult(result)) return <Tag>{result}</Tag>;
  return (
    <Tag color={resultColours[result]} data-result={result}>
      {t(`result.${resultKeys[result]}`)}
    </Tag>
  );
}
