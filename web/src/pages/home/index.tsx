/** The portal's home page: the big search box in the middle, and the way into each public service. */
import { Card, Col, Flex, Input, Row, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { portalSections } from '../../portal/portal-sections.js';

export function HomePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { token } = theme.useToken();
  useDocumentTitle(t('portal.home.title'), 'portal');

  const search = (value: string) => {
    const query = value.trim();
    void navigate(query === '' ? '/search' : `/search?${new URLSearchParams({ q: query }).toString()}`);
  };

  return (
    <>
      <Flex vertical align="center" style={{ textAlign: 'center', paddingBlock: token.paddingXL, marginBottom: token.marginLG }}>
        <Typography.Title level={2} data-testid="page-title">
          {t('portal.home.heading')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ maxWidth: 720 }}>
          {t('portal.home.intro')}
        </Typography.Paragraph>
        <Input.Search
          data-testid="home-search"
          aria-label={t('portal.home.searchLabel')}
          placeholder={t('portal.home.searchPlaceholder')}
          enterButton={t('portal.home.searchButton')}
          size="large"
          allowClear
          onSearch={search}
          style={{ width: '100%', maxWidth: 720 }}
        />
      </Flex>
      <Row gutter={[16, 16]}>
        {portalSections.flatMap((section) =>
          section.summary === undefined
            ? []
            : [
                <Col key={section.path} xs={24} sm={12} lg={8}>
                  <Card
                    title={
                      <span>
                        {section.icon} {t(section.title)}
                      </span>
                    }
                    extra={<Link to={section.path}>{t('portal.home.enter')}</Link>}
                    style={{ height: '100%' }}
                  >
                    {t(section.summary)}
                  </Card>
                </Col>,
              ],
        )}
      </Row>
    </>
  );
}
