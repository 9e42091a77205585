/** The storage dashboard's tables: the last fixity audits of each store (and those that failed or found a bad copy), and the offline volumes with their last verification. */
import { Card, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FixityRun, OfflineVolume, StorageDashboard } from '../../api/preservation-dashboard.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { formatBytes } from '../transfers/format-bytes.js';

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString(currentLanguage()) : '–');
const runColours: Record<string, string> = { running: 'processing', completed: 'success', failed: 'error', abandoned: 'default' };
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Whether a run failed or found a copy missing, damaged or beyond repair. */
const troubled = (run: FixityRun) => run.status === 'failed' || run.missing + run.damaged + run.atRisk > 0;

function AuditsTable({ runs, empty, testId }: { runs: readonly FixityRun[]; empty: string; testId: string }) {
  const { t } = useTranslation('preservation');
  const status = (s: string) => (s === 'running' || s === 'completed' || s === 'failed' || s === 'abandoned' ? t(`dashboard.audits.statuses.${s}`) : s);
  const count = (n: number, danger = false) => (danger && n > 0 ? <Typography.Text type="danger" strong>{n}</Typography.Text> : n);
  const columns: TableColumnsType<FixityRun> = [
    { key: 'store', dataIndex: 'store', title: t('dashboard.audits.store'), fixed: 'left' },
    { key: 'status', title: t('dashboard.audits.status'), render: (_, r) => <Tag color={runColours[r.status] ?? 'default'}>{status(r.status)}</Tag> },
    { key: 'startedAt', title: t('dashboard.audits.startedAt'), render: (_, r) => time(r.startedAt) },
    { key: 'finishedAt', title: t('dashboard.audits.finishedAt'), render: (_, r) => time(r.finishedAt) },
    { key: 'blobs', title: t('dashboard.audits.blobs'), render: (_, r) => `${r.blobs} · ${formatBytes(r.bytes)}${r.samplePercent < 100 ? ` (${t('dashboard.audits.sample', { percent: r.samplePercent })})` : ''}` },
    { key: 'ok', dataIndex: 'ok', title: t('dashboard.audits.ok') },
    { key: 'missing', title: t('dashboard.audits.missing'), render: (_, r) => count(r.missing, true) },
    { key: 'damaged', title: t('dashboard.audits.damaged'), render: (_, r) => count(r.damaged, true) },
    { key: 'repaired', dataIndex: 'repaired', title: t('dashboard.audits.repaired') },
    { key: 'atRisk', title: t('dashboard.audits.atRisk'), render: (_, r) => count(r.atRisk, true) },
    { key: 'startedBy', title: t('dashboard.audits.startedBy'), render: (_, r) => (r.startedBy === 'schedule' ? t('dashboard.audits.schedule') : r.startedBy) },
    { key: 'detail', title: t('dashboard.audits.detail'), render: (_, r) => r.detail && <Typography.Text type={r.status === 'failed' ? 'danger' : 'secondary'}>{r.detail}</Typography.Text> },
  ];
  return (
    <Table<FixityRun>
      data-testid={testId}
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={[...runs]}
      pagination={false}
      locale={{ emptyText: empty }}
      scroll={{ x: 'max-content' }}
      onRow={(r) => ({ 'data-troubled': String(troubled(r)) }) as React.HTMLAttributes<HTMLElement>}
    />
  );
}

export function DashboardAudits({ data }: { data: StorageDashboard }) {
  const { t } = useTranslation('preservation');
  return (
    <Card size="small" title={t('dashboard.audits.title')}>
      <Tabs
        items={[
          { key: 'recent', label: t('dashboard.audits.recent'), children: <AuditsTable runs={data.audits} empty={t('dashboard.audits.none')} testId="audits" /> },
          {
            key: 'failures',
            label: (
              <span>
                {t('dashboard.audits.failures')} {data.auditFailures.length > 0 && <Tag color="error">{data.auditFailures.length}</Tag>}
              </span>
            ),
            children: <AuditsTable runs={data.auditFailures} empty={t('dashboard.audits.noFailures')} testId="audit-failures" />,
          },
        ]}
      />
    </Card>
  );
}

export function DashboardVolumes({ data, now }: { data: StorageDashboard; now: number }) {
  const { t } = useTranslation('preservation');
  const status = (s: string) => (s === 'planned' || s === 'written' ? t(`dashboard.volumes.statuses.${s}`) : s);
  const verified = (v: OfflineVolume) => {
    if (v.status !== 'written') return '–';
    if (!v.lastVerifiedAt) return <Tag color="warning">{t('dashboard.volumes.never')}</Tag>;
    const result = v.lastVerifyResult === 'ok' || v.lastVerifyResult === 'failed' ? t(`dashboard.volumes.results.${v.lastVerifyResult}`) : v.lastVerifyResult;
    return (
      <span>
        {time(v.lastVerifiedAt)} <Tag color={v.lastVerifyResult === 'ok' ? 'success' : 'error'}>{result}</Tag>
        {now - new Date(v.lastVerifiedAt).getTime() > YEAR_MS && <Tag color="warning">{t('dashboard.volumes.overdue')}</Tag>}
      </span>
    );
  };
  const columns: TableColumnsType<OfflineVolume> = [
    { key: 'label', dataIndex: 'label', title: t('dashboard.volumes.label'), fixed: 'left' },
    { key: 'set', dataIndex: 'set', title: t('dashboard.volumes.set') },
    { key: 'status', title: t('dashboard.volumes.status'), render: (_, v) => <Tag>{status(v.status)}</Tag> },
    { key: 'bytes', title: t('dashboard.volumes.bytes'), render: (_, v) => `${v.files} · ${formatBytes(v.bytes)}` },
    { key: 'location', title: t('dashboard.volumes.location'), render: (_, v) => v.location ?? '–' },
    { key: 'writtenAt', title: t('dashboard.volumes.writtenAt'), render: (_, v) => time(v.writtenAt) },
    { key: 'verified', title: t('dashboard.volumes.lastVerifiedAt'), render: (_, v) => verified(v) },
  ];
  return (
    <Card size="small" title={t('dashboard.volumes.title')}>
      <Table<OfflineVolume> data-testid="volumes" rowKey="id" size="small" columns={columns} dataSource={data.volumes} pagination={{ pageSize: 20, hideOnSinglePage: true }} locale={{ emptyText: t('dashboard.volumes.none') }} scroll={{ x: 'max-content' }} />
    </Card>
  );
}
