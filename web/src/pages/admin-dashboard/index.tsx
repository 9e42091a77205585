/** The workbench home: how the installation runs (from /api/meta and /api/health) and the way into each function group. */
import { Card, Col, Row, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { adminGroups } from '../../admin/admin-sections.js';
import { useHealth } from '../../api/health.js';
import { useMeta } from '../../api/meta.js';
import { QueryError } from '../../components/query-error.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function AdminDashboardPage() {
  const { t } = useTranslation();
  const meta = useMeta();
  const health = useHealth();
  useDocumentTitle(t('admin.dashboard.title'), 'workbench');

  const healthText = health.data && (health.data.status === 'ok' ? t('admin.status.ok') : t('admin.status.degraded'));

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {t('admin.dashboard.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.dashboard.intro')}</Typography.Paragraph>
      {meta.error && <QueryError error={meta.error} onRetry={() => void meta.refetch()} />}
      <Card title={t('admin.dashboard.overview')} style={{ marginBottom: 24 }} extra={<Link to="/admin/system/status">{t('admin.dashboard.viewStatus')}</Link>}>
        <Row gutter={[16, 16]}>
          <Col xs={12} md={6}>
            <Statistic title={t('admin.dashboard.version')} value={meta.data?.version ?? '–'} loading={meta.isPending} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('admin.dashboard.zone')} value={meta.data ? t(`admin.zone.${meta.data.zone}`) : '–'} loading={meta.isPending} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic
              title={t('admin.dashboard.classification')}
              value={meta.data ? (meta.data.classified ? t('admin.classified.yes') : t('admin.classified.no')) : '–'}
              loading={meta.isPending}
            />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('admin.dashboard.health')} value={healthText ?? '–'} loading={health.isPending} />
          </Col>
        </Row>
      </Card>
      <Typography.Title level={3}>{t('admin.dashboard.functions')}</Typography.Title>
      <Row gutter={[16, 16]}>
        {adminGroups.map((group) => (
          <Col key={group.path} xs={24} sm={12} xl={8}>
            <Card
              title={
                <Link to={group.path}>
                  {group.icon} {t(group.title)}
                </Link>
              }
              style={{ height: '100%' }}
            >
              {t(group.description)}
            </Card>
          </Col>
        ))}
      </Row>
    </>
  );
}
