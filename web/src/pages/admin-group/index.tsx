/** A function group's page: what the group is for and its functions, marking those not built yet. */
import { Card, Col, Row, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { AdminGroup } from '../../admin/admin-sections.js';
import { useDocumentTitle } from '../../components/use-document-title.js';

export function AdminGroupPage({ group }: { group: AdminGroup }) {
  const { t } = useTranslation();
  useDocumentTitle(t(group.title), 'workbench');
  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {group.icon} {t(group.title)}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t(group.description)}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        {group.items.map((item) => (
          <Col key={item.path} xs={24} sm={12} xl={8}>
            <Card
              title={<Link to={item.path}>{t(item.title)}</Link>}
              extra={item.page ? undefined : <Tag>{t('common.planned')}</Tag>}
              style={{ height: '100%' }}
            >
              {t(item.description)}
            </Card>
          </Col>
        ))}
      </Row>
    </>
  );
}
