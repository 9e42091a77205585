/** 件号连续性检查: per lowest class, the item numbers present, the gaps and the duplicates (DA/T 22-2015 §6.3). */
import { Modal, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useContinuity, type ContinuityReport } from '../../api/catalog-arrange.js';
import { QueryError } from '../../components/query-error.js';
import type { Scope } from './catalog-tree.js';

function range([from, to]: readonly [number, number]): string {
  return from === to ? String(from) : `${from}–${to}`;
}

export function ContinuityModal({ scope, scopeText, onClose }: { scope: Scope; scopeText: string; onClose: () => void }) {
  const { t } = useTranslation();
  const report = useContinuity(scope, true);
  return (
    <Modal open width={820} title={t('admin.catalog.continuity.title')} onCancel={onClose} footer={null} destroyOnHidden>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Text>{scopeText}</Typography.Text>
        {report.error && <QueryError error={report.error} onRetry={() => void report.refetch()} />}
        <Table<ContinuityReport[number]>
          data-testid="continuity-table"
          rowKey="classKey"
          size="small"
          loading={report.isPending}
          dataSource={report.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: t('admin.catalog.continuity.none') }}
          columns={[
            { key: 'classKey', dataIndex: 'classKey', title: t('admin.catalog.continuity.classKey') },
            { key: 'count', dataIndex: 'count', title: t('admin.catalog.continuity.count'), align: 'right' },
            { key: 'range', title: t('admin.catalog.continuity.range'), render: (_, r) => range([r.first, r.last]) },
            {
              key: 'gaps',
              title: t('admin.catalog.continuity.gaps'),
              render: (_, r) => (r.gaps.length === 0 && r.duplicates.length === 0 ? <Tag color="success">{t('admin.catalog.continuity.ok')}</Tag> : r.gaps.map((g) => <Tag color="warning" key={g[0]}>{range(g)}</Tag>)),
            },
            { key: 'duplicates', title: t('admin.catalog.continuity.duplicates'), render: (_, r) => r.duplicates.map((d) => <Tag color="error" key={d}>{d}</Tag>) },
          ]}
        />
      </Space>
    </Modal>
  );
}
