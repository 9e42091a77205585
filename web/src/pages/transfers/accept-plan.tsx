/**
 * What the server says an accept with the archivist's choices will do — records and
 * files taken in, items going back as a returned hand-over, and, when re-coding,
 * each record's agency code beside the code the archive will give it.
 */
import { Alert, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AcceptCode, AcceptPreview } from '../../api/transfers.js';
import { formatBytes } from './format-bytes.js';

export interface AcceptPlanProps {
  plan: AcceptPreview;
  /** The preview was asked with re-coding on. */
  recode: boolean;
  /** The hand-over's title, which names the returned part. */
  title: string;
}

export function AcceptPlan({ plan, recode, title }: AcceptPlanProps) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const columns: TableColumnsType<AcceptCode> = [
    { key: 'position', dataIndex: 'position', title: t('accept.position'), width: 64 },
    { key: 'title', dataIndex: 'title', title: tBase('admin.catalog.fields.title') },
    { key: 'agencyCode', title: t('accept.agencyCode'), render: (_, code) => code.agencyCode ?? '—' },
    { key: 'newCode', title: t('accept.newCode'), render: (_, code) => <Typography.Text strong>{code.newCode ?? '—'}</Typography.Text> },
  ];

  return (
    <Space orientation="vertical" size="small" style={{ width: '100%' }} data-testid="accept-plan" data-records={plan.records} data-returned={plan.returned} data-recoded={plan.recoded}>
      <Alert
        type={plan.returned > 0 ? 'warning' : 'success'}
        showIcon
        title={t('accept.planAccept', { records: plan.records, files: plan.files, size: formatBytes(plan.bytes) })}
        description={
          <Space orientation="vertical" size={0}>
            {plan.returned > 0 && <span>{t('accept.planReturn', { count: plan.returned, title })}</span>}
            <span>{recode ? t('accept.planRecode', { count: plan.recoded }) : t('accept.planKeep')}</span>
          </Space>
        }
      />
      {recode && (
        <Table<AcceptCode>
          data-testid="accept-codes"
          rowKey="position"
          size="small"
          columns={columns}
          dataSource={plan.codes}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
        />
      )}
    </Space>
  );
}
