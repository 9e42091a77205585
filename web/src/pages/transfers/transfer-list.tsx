/**
 * The hand-overs a user may see: a clerk its own agency's, an archivist every
 * agency's (filtered by status and agency). Each row shows the status, the version
 * and, once checked, the pass rate; the title opens the hand-over.
 */
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAgencies } from '../../api/catalog.js';
import { transferStatuses, useTransfers, type Transfer, type TransferStatus } from '../../api/transfers.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { CreateTransferModal } from './create-modal.js';
import { StatusTag } from './status-tags.js';
import type { TransferRole } from './use-transfer-role.js';

export interface TransferListProps {
  role: TransferRole;
  /** The status shown first (the archive's queue starts with 已检测, waiting for a decision). */
  initialStatus?: TransferStatus;
  onOpen: (id: string) => void;
}

function AgencyFilter({ value, onChange }: { value: string | undefined; onChange: (value: string | undefined) => void }) {
  const { t } = useTranslation('transfer');
  const agencies = useAgencies();
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      style={{ width: 240 }}
      placeholder={t('list.allAgencies')}
      loading={agencies.isPending}
      value={value}
      onChange={onChange}
      options={(agencies.data ?? []).map((a) => ({ value: a.id, label: a.name }))}
      data-testid="transfer-filter-agency"
    />
  );
}

export function TransferList({ role, initialStatus, onOpen }: TransferListProps) {
  const { t, i18n } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const [status, setStatus] = useState<TransferStatus | undefined>(initialStatus);
  const [agencyId, setAgencyId] = useState<string | undefined>();
  const [creating, setCreating] = useState<'online' | 'offline' | null>(null);
  const transfers = useTransfers({ status, agencyId });
  const date = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : '');

  const columns: TableColumnsType<Transfer> = [
    {
      key: 'title',
      title: t('fields.title'),
      render: (_, row) => (
        <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }} onClick={() => onOpen(row.id)} data-testid="transfer-open">
          {row.title}
        </Button>
      ),
    },
    ...(role.isArchivist ? [{ key: 'agency', dataIndex: 'agencyName', title: tBase('admin.catalog.fields.agency') }] : []),
    { key: 'version', title: t('fields.version'), render: (_, row) => t('versionN', { version: row.version }), width: 90 },
    { key: 'status', title: t('fields.status'), render: (_, row) => <StatusTag status={row.status} />, width: 100 },
    { key: 'items', title: t('fields.items'), render: (_, row) => t('list.itemsOf', { items: row.items, declared: row.declaredItems }), width: 110 },
    {
      key: 'passRate',
      title: t('fields.passRate'),
      render: (_, row) => (row.summary ? `${row.summary.passRate}%${row.summary.draft ? ` (${t('list.selfCheck')})` : ''}` : '–'),
      width: 130,
    },
    { key: 'createdAt', title: t('fields.createdAt'), render: (_, row) => date(row.createdAt), width: 180 },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space wrap>
          <Select<TransferStatus>
            allowClear
            style={{ width: 160 }}
            placeholder={t('list.allStatuses')}
            value={status}
            onChange={setStatus}
            options={transferStatuses.map((s) => ({ value: s, label: t(`status.${s}`) }))}
            data-testid="transfer-filter-status"
          />
          {role.isArchivist && <AgencyFilter value={agencyId} onChange={setAgencyId} />}
          <Button icon={<ReloadOutlined />} onClick={() => void transfers.refetch()}>
            {tBase('common.refresh')}
          </Button>
        </Space>
        <Space wrap>
          {role.isClerk && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating('online')} data-testid="transfer-create">
              {t('create.title')}
            </Button>
          )}
          {role.isArchivist && (
            <Button icon={<PlusOutlined />} onClick={() => setCreating('offline')} data-testid="transfer-create-offline">
              {t('create.offlineTitle')}
            </Button>
          )}
        </Space>
      </Space>
      {transfers.error && <RefusedOrError error={transfers.error} onRetry={() => void transfers.refetch()} />}
      <Table<Transfer>
        data-testid="transfer-table"
        rowKey="id"
        size="middle"
        loading={transfers.isPending}
        columns={columns}
        dataSource={transfers.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Typography.Text type="secondary">{t('list.empty')}</Typography.Text> }}
        onRow={(row) => ({ 'data-testid': `transfer-row-${row.id}`, 'data-status': row.status, 'data-version': row.version }) as React.HTMLAttributes<HTMLElement>}
      />
      {creating && (
        <CreateTransferModal
          offline={creating === 'offline'}
          organisationId={role.organisationId}
          onClose={() => setCreating(null)}
          onCreated={(id) => {
            setCreating(null);
            onOpen(id);
          }}
        />
      )}
    </Space>
  );
}
