/**
 * 四性检测报告 (DA/T 70) as both sides read it: the pass rate and counts, the
 * results per property (真实性, 完整性, 可用性, 安全性), the checks of the whole
 * package, and item by item what did not pass. The printable page is the
 * server's own (A4), opened in a new tab.
 */
import { PrinterOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Row, Space, Statistic, Table, Typography, theme, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { checkResults, properties, reportHtmlPath, type TransferReport } from '../../api/transfers.js';
import { formatBytes } from './format-bytes.js';
import { FindingsTable, ReportItems } from './report-items.js';
import { ResultTag } from './status-tags.js';

interface PropertyRow {
  property: string;
  counts: Record<string, number>;
}

export function ReportView({ report }: { report: TransferReport }) {
  const { t, i18n } = useTranslation('transfer');
  const { token } = theme.useToken();
  const s = report.summary;
  const known = (p: string): p is (typeof properties)[number] => (properties as readonly string[]).includes(p);

  const propertyColumns: TableColumnsType<PropertyRow> = [
    { key: 'property', title: t('report.property'), render: (_, row) => (known(row.property) ? t(`properties.${row.property}`) : row.property) },
    ...checkResults.map((r) => ({ key: r, title: <ResultTag result={r} />, render: (_: unknown, row: PropertyRow) => row.counts[r] ?? 0 })),
  ];

  return (
    <Card
      size="small"
      data-testid="report"
      title={
        <Space>
          {t('report.title')}
          {s?.draft && <Typography.Text type="secondary">{t('report.selfCheck')}</Typography.Text>}
        </Space>
      }
      extra={
        s && (
          <Button size="small" icon={<PrinterOutlined />} href={reportHtmlPath(report.transfer.id)} target="_blank" rel="noopener" data-testid="report-print">
            {t('report.print')}
          </Button>
        )
      }
    >
      {!s ? (
        <Alert type="info" showIcon title={t('report.notChecked')} />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          {s.draft && <Alert type="info" showIcon title={t('report.selfCheckHint')} />}
          <Row gutter={[16, 16]}>
            <Col xs={12} md={4}>
              <Statistic title={t('fields.passRate')} value={s.passRate} suffix="%" data-testid="report-pass-rate" styles={{ content: { color: s.passRate === 100 ? token.colorSuccess : token.colorError } }} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('report.items')} value={s.items} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('report.passedItems')} value={s.passedItems} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('report.failedItems')} value={s.items - s.passedItems} data-testid="report-failed-items" />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('report.files')} value={s.files} suffix={<Typography.Text type="secondary">{formatBytes(s.bytes)}</Typography.Text>} />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('report.checkedAt')} value={new Date(s.checkedAt).toLocaleString(i18n.language)} styles={{ content: { fontSize: 14 } }} />
            </Col>
          </Row>
          <Typography.Text data-testid="report-virus-database" type="secondary">
            {t('report.virusDatabase')}：{s.virusDatabase ? (i18n.language.startsWith('zh') ? s.virusDatabase.zh : s.virusDatabase.en) : i18n.language.startsWith('zh') ? '未配置病毒检测服务' : 'no virus scanner configured'}
          </Typography.Text>
          <Table<PropertyRow>
            data-testid="report-properties"
            rowKey="property"
            size="small"
            pagination={false}
            columns={propertyColumns}
            dataSource={Object.entries(s.byProperty).map(([property, counts]) => ({ property, counts }))}
          />
          <div>
            <Typography.Title level={5}>{t('report.package')}</Typography.Title>
            <FindingsTable findings={report.package} testId="report-package" />
          </div>
          <div>
            <Typography.Title level={5}>{t('report.perItem')}</Typography.Title>
            <ReportItems items={report.items} />
          </div>
        </Space>
      )}
    </Card>
  );
}
