/**
 * The top of the storage dashboard: the totals (red when files are at risk), one card
 * per store (health, free space, the state of its copies, what a replica still lacks),
 * the files at risk with the records behind them, and the open alerts.
 */
import { Alert, Card, Col, Descriptions, Row, Space, Statistic, Table, Tag, Typography, theme, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import type { DashboardStore, PreservationAlert, StorageDashboard } from '../../api/preservation-dashboard.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { formatBytes } from '../transfers/format-bytes.js';

const time = (iso: string) => new Date(iso).toLocaleString(currentLanguage());
const copyStates = ['ok', 'repaired', 'missing', 'damaged', 'unreachable'] as const;
const copyColours = { ok: 'success', repaired: 'processing', missing: 'error', damaged: 'error', unreachable: 'warning' } as const;

export function DashboardTotals({ data }: { data: StorageDashboard }) {
  const { t } = useTranslation('preservation');
  const { token } = theme.useToken();
  const atRisk = data.atRisk.blobs > 0;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={12} md={6}>
        <Card size="small">
          <Statistic title={t('dashboard.totals.files')} value={data.totals.files} suffix={<Typography.Text type="secondary">{formatBytes(data.totals.bytes)}</Typography.Text>} data-testid="total-files" />
        </Card>
      </Col>
      <Col xs={12} md={6}>
        <Card size="small">
          <Statistic title={t('dashboard.totals.records')} value={data.totals.records} />
        </Card>
      </Col>
      <Col xs={12} md={6}>
        <Card size="small" data-testid="card-at-risk" data-at-risk={String(atRisk)} style={atRisk ? { borderColor: token.colorError, background: token.colorErrorBg } : undefined}>
          <Statistic title={t('dashboard.totals.atRisk')} value={data.atRisk.blobs} styles={{ content: { color: atRisk ? token.colorError : token.colorSuccess } }} />
        </Card>
      </Col>
      <Col xs={12} md={6}>
        <Card size="small" data-testid="card-alerts" style={data.alerts.length > 0 ? { borderColor: token.colorWarning, background: token.colorWarningBg } : undefined}>
          <Statistic title={t('dashboard.totals.alerts')} value={data.alerts.length} styles={{ content: { color: data.alerts.length > 0 ? token.colorWarning : token.colorSuccess } }} />
        </Card>
      </Col>
    </Row>
  );
}

function StoreCard({ store, lag }: { store: DashboardStore; lag?: { blobs: number; bytes: number } }) {
  const { t } = useTranslation('preservation');
  const kind = store.kind === 'folder' || store.kind === 's3' ? t(`dashboard.stores.kinds.${store.kind}`) : store.kind;
  return (
    <Card
      size="small"
      data-testid={`store-${store.name}`}
      title={
        <Space wrap>
          <span>{store.name}</span>
          <Tag>{store.primary ? t('dashboard.stores.primary') : t('dashboard.stores.replica')}</Tag>
        </Space>
      }
      extra={<Tag color={store.ok ? 'success' : 'error'} data-ok={String(store.ok)}>{store.ok ? t('dashboard.stores.ok') : t('dashboard.stores.failed')}</Tag>}
      style={{ height: '100%' }}
    >
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'kind', label: kind, children: <Typography.Text type="secondary" ellipsis={{ tooltip: store.detail }} style={{ maxWidth: 260 }}>{store.detail}</Typography.Text> },
          { key: 'free', label: t('dashboard.stores.free'), children: store.freeBytes === null ? t('dashboard.stores.freeUnknown') : formatBytes(store.freeBytes) },
          {
            key: 'copies',
            label: t('dashboard.stores.copies'),
            children: copyStates.every((s) => store.copies[s] === 0) ? (
              <Typography.Text type="secondary">{t('dashboard.stores.copiesUnknown')}</Typography.Text>
            ) : (
              <Space size={[4, 4]} wrap>
                {copyStates.filter((s) => s === 'ok' || store.copies[s] > 0).map((s) => (
                  <Tag key={s} color={copyColours[s]}>
                    {t(`dashboard.stores.copyStates.${s}`)} {store.copies[s]}
                  </Tag>
                ))}
              </Space>
            ),
          },
          ...(lag
            ? [{ key: 'lag', label: t('dashboard.stores.lag'), children: <span data-testid={`lag-${store.name}`}>{lag.blobs === 0 ? t('dashboard.stores.lagNone') : t('dashboard.stores.lagValue', { blobs: lag.blobs, size: formatBytes(lag.bytes) })}</span> }]
            : []),
        ]}
      />
    </Card>
  );
}

export function DashboardStores({ data }: { data: StorageDashboard }) {
  const { t } = useTranslation('preservation');
  return (
    <Card size="small" title={t('dashboard.stores.title')}>
      <Row gutter={[16, 16]}>
        {data.stores.map((store) => (
          <Col key={store.name} xs={24} md={12} xl={8}>
            <StoreCard store={store} lag={data.replicaLag.find((l) => l.store === store.name)} />
          </Col>
        ))}
      </Row>
    </Card>
  );
}

export function DashboardAtRisk({ data }: { data: StorageDashboard }) {
  const { t } = useTranslation('preservation');
  if (data.atRisk.blobs === 0) return <Alert type="success" showIcon title={t('dashboard.atRisk.none')} data-testid="at-risk-none" />;
  const columns: TableColumnsType<StorageDashboard['atRisk']['alerts'][number]> = [
    { key: 'store', dataIndex: 'store', title: t('dashboard.audits.store'), width: 110 },
    { key: 'sha256', title: 'SHA-256', render: (_, a) => a.sha256 && <Typography.Text code copyable={{ text: a.sha256 }}>{`${a.sha256.slice(0, 12)}…`}</Typography.Text> },
    {
      key: 'records',
      title: t('dashboard.atRisk.records'),
      render: (_, a) =>
        a.records.length === 0 ? (
          <Typography.Text type="secondary">{t('dashboard.atRisk.noRecords')}</Typography.Text>
        ) : (
          <Space orientation="vertical" size={0}>
            {a.records.map((r) => (
              <span key={r.id}>
                {r.archivalCode && <Typography.Text code>{r.archivalCode}</Typography.Text>} {r.title}
              </span>
            ))}
          </Space>
        ),
    },
    { key: 'since', title: t('dashboard.alerts.at'), render: (_, a) => time(a.createdAt), width: 180 },
  ];
  return (
    <Alert
      type="error"
      showIcon
      data-testid="at-risk-alert"
      title={t('dashboard.atRisk.alertTitle', { count: data.atRisk.blobs })}
      description={<Table rowKey="id" size="small" pagination={false} columns={columns} dataSource={data.atRisk.alerts} scroll={{ x: 'max-content' }} />}
    />
  );
}

export function DashboardAlerts({ data }: { data: StorageDashboard }) {
  const { t } = useTranslation('preservation');
  const kind = (k: string) => (k === 'at-risk' || k === 'store-unreachable' ? t(`dashboard.alerts.kinds.${k}`) : k);
  const columns: TableColumnsType<PreservationAlert> = [
    { key: 'at', title: t('dashboard.alerts.at'), render: (_, a) => time(a.createdAt), width: 180 },
    { key: 'kind', title: t('dashboard.alerts.kind'), render: (_, a) => <Tag color={a.kind === 'at-risk' ? 'error' : 'warning'}>{kind(a.kind)}</Tag>, width: 130 },
    { key: 'store', title: t('dashboard.audits.store'), render: (_, a) => a.store ?? '–', width: 110 },
    { key: 'message', dataIndex: 'message', title: t('dashboard.alerts.message') },
  ];
  return (
    <Card size="small" title={t('dashboard.alerts.title')} data-testid="alerts">
      <Table rowKey="id" size="small" columns={columns} dataSource={data.alerts} pagination={{ pageSize: 10, hideOnSinglePage: true }} locale={{ emptyText: t('dashboard.alerts.none') }} scroll={{ x: 'max-content' }} />
    </Card>
  );
}
