/**
 * One hand-over. A draft is prepared here — files uploaded, items described, 自检,
 * 提交 — and follows its check live; once checked both sides read the report; the
 * archivist returns it or accepts it (接收进馆) — all of it, or the items that did
 * not fail, the rest going back with a reason; the clerk of a returned one opens a
 * corrected new version and submits that.
 */
import { ArrowLeftOutlined, SafetyCertificateOutlined, SendOutlined } from '@ant-design/icons';
import { App, Button, Popconfirm, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkPending, useSelfCheck, useSubmitTransfer, useTransfer, useTransferReport } from '../../api/transfers.js';
import { QueryError } from '../../components/query-error.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { AcceptButton } from './accept-button.js';
import { AcceptDialog } from './accept-dialog.js';
import { CheckProgress } from './check-progress.js';
import { reportFiles } from './findings.js';
import { ItemsCard } from './items-card.js';
import { ReportView } from './report-view.js';
import { ReturnModal } from './return-modal.js';
import { StatusTag } from './status-tags.js';
import { TransferFacts } from './transfer-facts.js';
import { UploadCard } from './upload-card.js';
import type { TransferRole } from './use-transfer-role.js';
import { CorrectionNotice, ReturnedNotice } from './version-notices.js';

export interface TransferDetailProps {
  id: string;
  role: TransferRole;
  onBack: () => void;
  onOpen: (id: string) => void;
}

/** A self-check this page started: done when the hand-over's check time moves on from `since`. */
interface SelfCheckRun {
  jobId: string;
  since: string | null;
}

export function TransferDetail({ id, role, onBack, onOpen }: TransferDetailProps) {
  const { t } = useTranslation('transfer');
  const { message } = App.useApp();
  const [selfCheckRun, setSelfCheckRun] = useState<SelfCheckRun | null>(null);
  const [uploaded, setUploaded] = useState<string[]>([]);
  const [uploading, setUploading] = useState(false);
  const [returning, setReturning] = useState(false);
  const [accepting, setAccepting] = useState(false);
  const transfer = useTransfer(id, selfCheckRun !== null);
  const data = transfer.data;
  const previous = useTransfer(data?.previousId ?? null);
  const report = useTransferReport(data);
  const previousReport = useTransferReport(previous.data);
  const selfCheck = useSelfCheck();
  const submit = useSubmitTransfer();

  useEffect(() => {
    if (selfCheckRun && data?.checkedAt && data.checkedAt !== selfCheckRun.since) {
      setSelfCheckRun(null);
      void message.success(t('check.selfCheckDone'));
    }
  }, [data?.checkedAt, message, selfCheckRun, t]);

  if (transfer.error) return <RefusedOrError error={transfer.error} onRetry={() => void transfer.refetch()} />;
  if (!data) return <Spin />;

  const draft = data.status === 'draft';
  const busy = selfCheckRun !== null || uploading;
  const files = [...new Set([...uploaded, ...reportFiles(report.data), ...reportFiles(previousReport.data)])];

  const startSelfCheck = () => {
    const since = data.checkedAt;
    selfCheck.mutate(id, { onSuccess: ({ jobId }) => setSelfCheckRun({ jobId, since }) });
  };
  const startSubmit = () => submit.mutate(id);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="transfer-detail" data-status={data.status} data-version={data.version}>
      <Button icon={<ArrowLeftOutlined />} onClick={onBack} data-testid="transfer-back">
        {t('detail.back')}
      </Button>
      <Space wrap align="center">
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="transfer-title">
          {data.title}
        </Typography.Title>
        <StatusTag status={data.status} />
        <Tag>{t('versionN', { version: data.version })}</Tag>
      </Space>
      <TransferFacts transfer={data} />
      {(draft || (data.status === 'checked' && role.isArchivist)) && (
        <Space wrap>
          {draft && (
            <>
              <Tooltip title={t('detail.selfCheckHint')}>
                <Button icon={<SafetyCertificateOutlined />} loading={selfCheck.isPending} disabled={busy || data.items === 0} onClick={startSelfCheck} data-testid="self-check">
                  {t('detail.selfCheck')}
                </Button>
              </Tooltip>
              <Popconfirm
                title={t('detail.submitConfirm')}
                description={t('detail.submitConfirmText', { items: data.items, declared: data.declaredItems })}
                okText={t('detail.submit')}
                cancelText={t('form.cancel')}
                okButtonProps={{ 'data-testid': 'submit-confirm' }}
                onConfirm={startSubmit}
                disabled={busy || data.items === 0}
              >
                <Button type="primary" icon={<SendOutlined />} loading={submit.isPending} disabled={busy || data.items === 0} data-testid="submit">
                  {t('detail.submit')}
                </Button>
              </Popconfirm>
              {uploading && <Typography.Text type="secondary">{t('detail.waitUploads')}</Typography.Text>}
            </>
          )}
          {data.status === 'checked' && role.isArchivist && (
            <>
              <Button danger onClick={() => setReturning(true)} disabled={!report.data} data-testid="return">
                {t('detail.return')}
              </Button>
              <AcceptButton transfer={data} report={report.data} onOpen={() => setAccepting(true)} />
            </>
          )}
        </Space>
      )}
      {(selfCheck.error ?? submit.error) && <QueryError error={(selfCheck.error ?? submit.error) as Error} />}
      {selfCheckRun && <CheckProgress kind="self-check" transferId={data.id} />}
      {checkPending(data.status) && <CheckProgress kind="check" transferId={data.id} />}
      {data.status === 'returned' && <ReturnedNotice transfer={data} report={report.data} mayResubmit={role.isClerk} onOpen={onOpen} />}
      {draft && data.previousId && <CorrectionNotice transfer={data} previousReport={previousReport.data} onOpen={onOpen} />}
      {draft && <UploadCard transferId={id} disabled={selfCheckRun !== null} onUploaded={(path) => setUploaded((current) => [...current, path])} onBusy={setUploading} />}
      {draft && (
        <ItemsCard
          transfer={data}
          report={report.data}
          previous={previousReport.data}
          previousPending={data.previousId !== null && previousReport.data === undefined}
          files={files}
          editable={selfCheckRun === null}
        />
      )}
      {report.error && <QueryError error={report.error} onRetry={() => void report.refetch()} />}
      {report.data?.summary && !checkPending(data.status) && <ReportView report={report.data} />}
      {returning && report.data && <ReturnModal report={report.data} onClose={() => setReturning(false)} />}
      {/* Outside the archivist's actions: the dialog stays to show the result once the hand-over is accepted. */}
      {accepting && report.data && <AcceptDialog report={report.data} onClose={() => setAccepting(false)} />}
    </Space>
  );
}
