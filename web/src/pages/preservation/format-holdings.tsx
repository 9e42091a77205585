/** The records kept in formats judged at risk or watched, as the server lists them for this reader (their Viewer), paged and filtered by status or format. */
import { Card, Select, Segmented, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormatHoldings, type FormatEntry, type Holding } from '../../api/preservation-dashboard.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { formatBytes } from '../transfers/format-bytes.js';
import { RiskTag } from './risk-tag.js';

type StatusFilter = 'all' | 'at-risk' | 'watch';

export function FormatHoldings({ judged, label }: { judged: readonly FormatEntry[]; label: (f: Pick<FormatEntry, 'format' | 'name' | 'version'>) => string }) {
  const { t } = useTranslation('preservation');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [format, setFormat] = useState<string | undefined>(undefined);
  const [page, setPage] = useState({ offset: 0, limit: 20 });
  const holdings = useFormatHoldings({ status: status === 'all' ? undefined : status, format, ...page }, true);
  const names = new Map(judged.map((f) => [f.format, label(f)]));

  const columns: TableColumnsType<Holding> = [
    { key: 'code', title: t('formats.holdings.code'), render: (_, h) => h.archivalCode ?? <Typography.Text type="secondary">{t('formats.holdings.noCode')}</Typography.Text> },
    { key: 'title', dataIndex: 'title', title: t('formats.holdings.recordTitle') },
    { key: 'fonds', dataIndex: 'fondsCode', title: t('formats.holdings.fonds') },
    { key: 'year', dataIndex: 'year', title: t('formats.holdings.year') },
    {
      key: 'formats',
      title: t('formats.holdings.formats'),
      render: (_, h) => (
        <Space orientation="vertical" size={2}>
          {h.formats.map((f) => (
            <span key={f.format}>
              <RiskTag status={f.status} /> {names.get(f.format) ?? f.name ?? f.format} <Typography.Text type="secondary">{t('formats.holdings.fileCount', { count: f.files, size: formatBytes(f.bytes) })}</Typography.Text>
            </span>
          ))}
        </Space>
      ),
    },
  ];

  return (
    <Card size="small" title={t('formats.holdings.title')} data-testid="format-holdings">
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('formats.holdings.intro')}</Typography.Text>
        {judged.length === 0 ? (
          <Typography.Text type="secondary">{t('formats.holdings.none')}</Typography.Text>
        ) : (
          <Space wrap>
            <Segmented<StatusFilter>
              value={status}
              onChange={(value) => {
                setStatus(value);
                setPage((p) => ({ ...p, offset: 0 }));
              }}
              options={[
                { value: 'all', label: t('formats.holdings.allStatuses') },
                { value: 'at-risk', label: t('status.at-risk') },
                { value: 'watch', label: t('status.watch') },
              ]}
              data-testid="holdings-status"
            />
            <Select
              allowClear
              style={{ minWidth: 220 }}
              placeholder={t('formats.holdings.anyFormat')}
              value={format}
              onChange={(value?: string) => {
                setFormat(value);
                setPage((p) => ({ ...p, offset: 0 }));
              }}
              options={judged.map((f) => ({ value: f.format, label: <Space size={4}><RiskTag status={f.status} />{label(f)}</Space> }))}
              data-testid="holdings-format"
            />
          </Space>
        )}
        {holdings.error ? (
          <RefusedOrError error={holdings.error} onRetry={() => void holdings.refetch()} />
        ) : (
          <Table<Holding>
            data-testid="holdings-table"
            rowKey="id"
            size="small"
            loading={holdings.isFetching}
            columns={columns}
            dataSource={holdings.data?.items ?? []}
            locale={{ emptyText: t('formats.holdings.empty') }}
            scroll={{ x: 'max-content' }}
            onRow={(h) => ({ 'data-testid': `holding-${h.id}` }) as React.HTMLAttributes<HTMLElement>}
            pagination={{
              current: Math.floor(page.offset / page.limit) + 1,
              pageSize: page.limit,
              total: holdings.data?.total ?? 0,
              showSizeChanger: true,
              showTotal: (total) => <Tag data-testid="holdings-total" data-total={total}>{t('formats.holdings.total', { total })}</Tag>,
              onChange: (current, pageSize) => setPage({ offset: (current - 1) * pageSize, limit: pageSize }),
            }}
          />
        )}
      </Space>
    </Card>
  );
}
