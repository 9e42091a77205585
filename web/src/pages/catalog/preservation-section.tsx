/**
 * 保存信息 of one record, for archivists: what the archive knows to keep its files
 * usable and provably unchanged — each file's SHA-256 and SM3 digests (GB/T
 * 32905), its format as identified against PRONOM and the application that made
 * it — and the PREMIS 3.0 event timeline from 接收 to 进馆, with the PREMIS XML to
 * download. The server refuses everyone but archivists; the drawer only asks for them.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Skeleton, Space, Table, Tag, Timeline, Typography, type TableColumnsType, type TimelineItemProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { premisPath, usePreservation, type EventOutcome, type EventType, type PreservationEvent, type PreservationFile } from '../../api/preservation.js';
import { QueryError } from '../../components/query-error.js';
import { currentLanguage } from '../../i18n/i18n.js';

/** Event types as the i18n keys name them (PREMIS types contain spaces). */
const eventKeys = {
  ingestion: 'ingestion',
  'message digest calculation': 'digest',
  'format identification': 'formatIdentification',
  validation: 'validation',
  'virus check': 'virusCheck',
  accession: 'accession',
  'fixity check': 'fixityCheck',
  repair: 'repair',
  replication: 'replication',
  migration: 'migration',
  creation: 'creation',
} as const satisfies Record<EventType, string>;

const outcomeKeys = { success: 'success', warning: 'warning', failure: 'failure', 'not checked': 'notChecked' } as const satisfies Record<EventOutcome, string>;
const outcomeColours = { success: 'green', warning: 'orange', failure: 'red', 'not checked': 'gray' } as const satisfies Record<EventOutcome, string>;

/** A digest in monospace, shortened to its first characters; copying takes the whole. */
function Digest({ value }: { value: string }) {
  return (
    <Typography.Text code copyable={{ text: value }} title={value}>
      {`${value.slice(0, 12)}…`}
    </Typography.Text>
  );
}

export function PreservationSection({ itemId }: { itemId: string }) {
  const { t } = useTranslation();
  const preservation = usePreservation(itemId, true);
  const data = preservation.data;

  const columns: TableColumnsType<PreservationFile> = [
    { key: 'name', title: t('admin.catalog.preservation.file'), render: (_, f) => <span title={f.originalPath}>{f.originalName}</span> },
    { key: 'sha256', title: 'SHA-256', render: (_, f) => <Digest value={f.sha256} /> },
    { key: 'sm3', title: 'SM3', render: (_, f) => <Digest value={f.sm3} /> },
    {
      key: 'format',
      title: t('admin.catalog.preservation.format'),
      render: (_, f) => (
        <Space size={4} wrap>
          {f.formatName ? [f.formatName, f.formatVersion].filter(Boolean).join(' ') : (f.mime ?? t('admin.catalog.preservation.unknownFormat'))}
          {f.puid && <Tag>{f.puid}</Tag>}
        </Space>
      ),
    },
    { key: 'application', title: t('admin.catalog.preservation.creatingApplication'), render: (_, f) => f.creatingApplication ?? '—' },
  ];

  const eventItem = (event: PreservationEvent): TimelineItemProps => {
    const file = event.subjectType === 'file' ? data?.files.find((f) => f.id === event.subjectId) : undefined;
    return {
      key: event.id,
      color: outcomeColours[event.outcome],
      content: (
        <div data-testid={`preservation-event-${event.id}`} data-type={event.type} data-outcome={event.outcome}>
          <Space size={8} wrap>
            <Typography.Text strong>{t(`admin.catalog.preservation.events.${eventKeys[event.type]}`)}</Typography.Text>
            <Tag color={outcomeColours[event.outcome]}>{t(`admin.catalog.preservation.outcomes.${outcomeKeys[event.outcome]}`)}</Tag>
            <Typography.Text type="secondary">{new Date(event.at).toLocaleString(currentLanguage())}</Typography.Text>
          </Space>
          <div>
            {file && <Tag>{file.originalName}</Tag>}
            {event.detail}
          </div>
          <Typography.Text type="secondary">{t('admin.catalog.preservation.agents', { names: event.agents.map((a) => (a.version ? `${a.name} ${a.version}` : a.name)).join(' · ') })}</Typography.Text>
        </div>
      ),
    };
  };

  return (
    <section data-testid="preservation">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginTop: 24 }} align="baseline">
        <Typography.Title level={5}>{t('admin.catalog.preservation.title')}</Typography.Title>
        <Button size="small" icon={<DownloadOutlined />} href={premisPath(itemId)} download data-testid="premis-download">
          {t('admin.catalog.preservation.premis')}
        </Button>
      </Space>
      {preservation.error && <QueryError error={preservation.error} onRetry={() => void preservation.refetch()} />}
      {preservation.isPending && <Skeleton active />}
      {data && (
        <>
          <Table<PreservationFile>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={data.files}
            columns={columns}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('admin.catalog.preservation.noFiles') }}
            data-testid="preservation-files"
          />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('admin.catalog.preservation.timeline')}
          </Typography.Title>
          <div data-testid="preservation-timeline">
            {data.events.length === 0 ? (
              <Typography.Text type="secondary">{t('admin.catalog.preservation.noEvents')}</Typography.Text>
            ) : (
              <Timeline items={data.events.map(eventItem)} />
            )}
          </div>
        </>
      )}
    </section>
  );
}
