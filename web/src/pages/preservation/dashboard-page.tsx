/**
 * 保存 › 存储概览: the storage dashboard for archivists and the system admin (who sees
 * no record titles; the server leaves them out). Charts load ECharts on demand.
 */
import { ReloadOutlined } from '@ant-design/icons';
import { Button, Skeleton, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useStorageDashboard } from '../../api/preservation-dashboard.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { DashboardCharts } from './dashboard-charts.js';
import { DashboardAlerts, DashboardAtRisk, DashboardStores, DashboardTotals } from './dashboard-status.js';
import { DashboardAudits, DashboardVolumes } from './dashboard-tables.js';

export function StorageDashboardPage() {
  const { t } = useTranslation();
  const { t: tp } = useTranslation('preservation');
  const title = t('admin.groups.preserve.items.overview.title');
  useDocumentTitle(title, 'workbench');
  const dashboard = useStorageDashboard();
  const data = dashboard.data;

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{tp('dashboard.intro')}</Typography.Paragraph>
      {dashboard.error ? (
        <RefusedOrError error={dashboard.error} onRetry={() => void dashboard.refetch()} />
      ) : !data ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="storage-dashboard">
          <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
            <Typography.Text type="secondary">{tp('dashboard.generatedAt', { time: new Date(data.generatedAt).toLocaleString(currentLanguage()) })}</Typography.Text>
            <Button icon={<ReloadOutlined />} loading={dashboard.isFetching} onClick={() => void dashboard.refetch()}>
              {tp('refresh')}
            </Button>
          </Space>
          <DashboardTotals data={data} />
          <DashboardAtRisk data={data} />
          <DashboardStores data={data} />
          <DashboardCharts data={data} />
          <DashboardAlerts data={data} />
          <DashboardAudits data={data} />
          <DashboardVolumes data={data} now={dashboard.dataUpdatedAt} />
        </Space>
      )}
    </>
  );
}
