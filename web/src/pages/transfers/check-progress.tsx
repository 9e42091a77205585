/**
 * A running four-property check (自检 of a draft, or the archive's check after
 * 提交), with the files checked of all: read through the hand-over's own
 * check-job endpoint, which the agency's clerk may read as well as the archive.
 */
import { Alert, Progress, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTransferCheckJob } from '../../api/jobs.js';

export interface CheckProgressProps {
  kind: 'self-check' | 'check';
  transferId: string;
}

export function CheckProgress({ kind, transferId }: CheckProgressProps) {
  const { t } = useTranslation('transfer');
  const job = useTransferCheckJob(transferId, true);
  const progress = job.data?.progress;
  const percent = progress?.total ? Math.floor((progress.done / progress.total) * 100) : undefined;

  if (job.data?.status === 'failed' || job.data?.status === 'cancelled') {
    return <Alert type="error" showIcon title={t('check.failed')} description={job.data.lastError ?? undefined} data-testid="check-failed" />;
  }
  return (
    <Alert
      type="info"
      showIcon
      icon={<Spin size="small" />}
      data-testid="check-progress"
      title={kind === 'self-check' ? t('check.selfChecking') : t('check.checking')}
      description={
        percent !== undefined && progress ? (
          <Progress percent={percent} status="active" format={() => t('check.files', { done: progress.done, total: progress.total ?? 0 })} />
        ) : (
          t('check.wait')
        )
      }
    />
  );
}
