/** 系统状态: the live answer of GET /api/health, with what /api/meta says about the installation. */
import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { useHealth, type StoreHealth } from '../../api/health.js';
import { useMeta } from '../../api/meta.js';
import { QueryError } from '../../components/query-error.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { currentLanguage } from '../../i18n/i18n.js';

type Store = StoreHealth;

function StatusTag({ ok, testId }: { ok: boolean; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={ok ? 'success' : 'error'} data-testid={testId} data-ok={String(ok)}>
      {ok ? t('admin.status.ok') : t('admin.status.failed')}
    </Tag>
  );
}

export function SystemStatusPage() {
  const { t } = useTranslation();
  const health = useHealth();
  const meta = useMeta();
  useDocumentTitle(t('admin.groups.system.items.status.title'), 'workbench');

  const columns: TableColumnsType<Store> = [
    { key: 'name', dataIndex: 'name', title: t('admin.systemStatus.storeName') },
    { key: 'kind', dataIndex: 'kind', title: t('admin.systemStatus.storeKind') },
    { key: 'status', title: t('admin.systemStatus.storeStatus'), render: (_, store) => <StatusTag ok={store.ok} testId={`store-status-${store.name}`} /> },
    { key: 'detail', dataIndex: 'detail', title: t('admin.systemStatus.storeDetail') },
  ];

  const data = health.data;
  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {t('admin.groups.system.items.status.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.systemStatus.intro')}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        {health.error && <QueryError error={health.error} onRetry={() => void health.refetch()} />}
        <Card
          title={t('admin.dashboard.health')}
          loading={health.isPending}
          extra={
            <Button icon={<ReloadOutlined />} loading={health.isFetching} onClick={() => void health.refetch()}>
              {t('common.refresh')}
            </Button>
          }
        >
          {data && (
            <Descriptions
              data-testid="system-status"
              bordered
              column={1}
              items={[
                {
                  key: 'overall',
                  label: t('admin.systemStatus.overall'),
                  children: (
                    <Tag color={data.status === 'ok' ? 'success' : 'warning'} data-testid="overall-status" data-status={data.status}>
                      {data.status === 'ok' ? t('admin.status.ok') : t('admin.status.degraded')}
                    </Tag>
                  ),
                },
                ...(data.database
                  ? [
                      {
                        key: 'database',
                        label: t('admin.systemStatus.database'),
                        children: (
                          <Space wrap>
                            <StatusTag ok={data.database.ok} testId="database-status" />
                            {data.database.detail && <Typography.Text type="secondary">{data.database.detail}</Typography.Text>}
                          </Space>
                        ),
                      },
                    ]
                  : []),
                {
                  key: 'checkedAt',
                  label: t('admin.systemStatus.checkedAt'),
                  children: new Date(health.dataUpdatedAt).toLocaleString(currentLanguage()),
                },
              ]}
            />
          )}
        </Card>
        <Card title={t('admin.systemStatus.stores')} loading={health.isPending}>
          <Table<Store>
            data-testid="store-table"
            rowKey="name"
            size="small"
            pagination={false}
            columns={columns}
            dataSource={data?.stores ?? []}
            locale={{ emptyText: t('admin.systemStatus.noStores') }}
            scroll={{ x: 'max-content' }}
          />
        </Card>
        <Card title={t('admin.systemStatus.system')} loading={meta.isPending}>
          {meta.error && <QueryError error={meta.error} onRetry={() => void meta.refetch()} />}
          {meta.data && (
            <Descriptions
              column={{ xs: 1, md: 2 }}
              items={[
                { key: 'version', label: t('admin.systemStatus.version'), children: meta.data.version },
                { key: 'zone', label: t('admin.systemStatus.zone'), children: t(`admin.zone.${meta.data.zone}`) },
                {
                  key: 'classification',
                  label: t('admin.systemStatus.classification'),
                  children: meta.data.classified ? t('admin.classified.yes') : t('admin.classified.no'),
                },
                { key: 'demo', label: t('admin.systemStatus.demo'), children: meta.data.demo ? t('admin.systemStatus.yes') : t('admin.systemStatus.no') },
              ]}
            />
          )}
        </Card>
      </Space>
    </>
  );
}
