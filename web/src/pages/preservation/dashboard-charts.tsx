/** The storage dashboard's three charts: bytes accepted per month, the formats held (by size or by files, coloured by risk) and the holdings by year. */
import { Card, Col, Empty, Row, Segmented, theme } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { FormatRiskStatus, StorageDashboard } from '../../api/preservation-dashboard.js';
import { formatBytes } from '../transfers/format-bytes.js';
import { Chart, type ChartOption } from './chart.js';

const TOP_FORMATS = 10;

/** Every month from the first to the last, so a quiet month shows as a gap rather than disappearing. */
export function monthsBetween(months: readonly string[]): string[] {
  const first = months[0];
  const last = months.at(-1);
  if (!first || !last) return [];
  const out: string[] = [];
  let [year, month] = first.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 1200; guard += 1) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) break;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return out;
}

export function DashboardCharts({ data }: { data: StorageDashboard }) {
  const { t } = useTranslation('preservation');
  const { token } = theme.useToken();
  const [formatsBy, setFormatsBy] = useState<'bytes' | 'files'>('bytes');
  const { colours, axisText } = useMemo(() => {
    const byStatus: Record<FormatRiskStatus, string> = { ok: token.colorPrimary, watch: token.colorWarning, 'at-risk': token.colorError };
    return { colours: byStatus, axisText: { color: token.colorTextSecondary } };
  }, [token]);

  const growth = useMemo((): ChartOption => {
    const byMonth = new Map(data.growth.map((g) => [g.month, g]));
    const months = monthsBetween(data.growth.map((g) => g.month));
    return {
      aria: { enabled: true },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('dashboard.charts.growthBytes'), t('dashboard.charts.growthFiles')], textStyle: axisText },
      xAxis: { type: 'category', data: months, axisLabel: axisText },
      yAxis: [
        { type: 'value', axisLabel: { ...axisText, formatter: (v: number) => formatBytes(v) } },
        { type: 'value', splitLine: { show: false }, axisLabel: axisText },
      ],
      series: [
        { name: t('dashboard.charts.growthBytes'), type: 'bar', barMaxWidth: 48, data: months.map((m) => byMonth.get(m)?.bytes ?? 0), itemStyle: { color: token.colorPrimary }, tooltip: { valueFormatter: (v) => formatBytes(Number(v)) } },
        { name: t('dashboard.charts.growthFiles'), type: 'line', yAxisIndex: 1, data: months.map((m) => byMonth.get(m)?.files ?? 0), itemStyle: { color: token.colorSuccess } },
      ],
    };
  }, [data.growth, t, token, axisText]);

  const formats = useMemo((): ChartOption => {
    const top = [...data.formats].sort((a, b) => b[formatsBy] - a[formatsBy]).slice(0, TOP_FORMATS).reverse();
    const label = (f: (typeof top)[number]) => (f.name ? `${f.name}${f.version && !f.name.includes(f.version) ? ` ${f.version}` : ''}` : f.format);
    return {
      aria: { enabled: true },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', splitNumber: 3, axisLabel: { ...axisText, hideOverlap: true, formatter: (v: number) => (formatsBy === 'bytes' ? formatBytes(v) : String(v)) } },
      yAxis: { type: 'category', data: top.map(label), axisLabel: { ...axisText, width: 110, overflow: 'truncate' } },
      series: [
        {
          name: formatsBy === 'bytes' ? t('dashboard.charts.bytes') : t('dashboard.charts.files'),
          type: 'bar',
          barMaxWidth: 32,
          data: top.map((f) => ({ value: f[formatsBy], itemStyle: { color: colours[f.status] } })),
          tooltip: { valueFormatter: (v) => (formatsBy === 'bytes' ? formatBytes(Number(v)) : String(v)) },
        },
      ],
    };
  }, [data.formats, formatsBy, t, colours, axisText]);

  const years = useMemo((): ChartOption => ({
    aria: { enabled: true },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [t('dashboard.charts.files'), t('dashboard.charts.records')], textStyle: axisText },
    xAxis: { type: 'category', data: data.years.map((y) => String(y.year)), axisLabel: axisText },
    yAxis: { type: 'value', axisLabel: axisText },
    series: [
      { name: t('dashboard.charts.files'), type: 'bar', barMaxWidth: 48, data: data.years.map((y) => y.files), itemStyle: { color: token.colorPrimary } },
      { name: t('dashboard.charts.records'), type: 'line', data: data.years.map((y) => y.records), itemStyle: { color: token.colorSuccess } },
    ],
  }), [data.years, t, token, axisText]);

  const empty = data.totals.files === 0;
  const body = (chart: ReactNode) => (empty ? <Empty description={t('dashboard.charts.empty')} /> : chart);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card size="small" title={t('dashboard.charts.growth')} data-testid="chart-growth">
          {body(<Chart option={growth} height={260} label={t('dashboard.charts.growthLabel')} testId="chart-growth-canvas" />)}
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card
          size="small"
          title={t('dashboard.charts.formats')}
          data-testid="chart-formats"
          extra={
            <Segmented
              size="small"
              value={formatsBy}
              onChange={(v) => setFormatsBy(v === 'files' ? 'files' : 'bytes')}
              options={[
                { value: 'bytes', label: t('dashboard.charts.byBytes') },
                { value: 'files', label: t('dashboard.charts.byCount') },
              ]}
            />
          }
        >
          {body(<Chart option={formats} height={260} label={t('dashboard.charts.formatsLabel')} testId="chart-formats-canvas" />)}
        </Card>
      </Col>
      <Col xs={24}>
        <Card size="small" title={t('dashboard.charts.years')} data-testid="chart-years">
          {body(<Chart option={years} height={240} label={t('dashboard.charts.yearsLabel')} testId="chart-years-canvas" />)}
        </Card>
      </Col>
    </Row>
  );
}
