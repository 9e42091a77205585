/**
 * A running four-property check (自检 of a draft, or the archive's check after
 * 提交). Staff see the job's own progress (files checked of all); clerks may not
 * read jobs, so for them the page follows the hand-over itself until its check
 * time changes (自检) or its status leaves 已提交/检测中 (提交).
 */
import { Alert, Progress, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { useJob } from '../../api/jobs.js';

export interface CheckProgressProps {
  kind: 'self-check' | 'check';
  /** The job, when this page started it (after a reload the page only knows that a check runs). */
  jobId: string | null;
  followsJobs: boolean;
}

export function CheckProgress({ kind, jobId, followsJobs }: CheckProgressProps) {
  const { t } = useTranslation('transfer');
  const job = useJob(jobId, followsJobs);
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
