/** The security admin's list of access grants (active, expired, revoked), filterable by grantee, each active one revocable. */
import { App, Button, Popconfirm, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useGrants, useRevokeGrant, type GrantView, type Organisation, type User } from '../../api/accounts.js';
import { ApiError } from '../../api/client.js';
import { QueryError } from '../../components/query-error.js';
import { currentLanguage } from '../../i18n/i18n.js';

const STATUS_COLOURS = { active: 'success', expired: 'default', revoked: 'error' } as const;

/** `user:<id>` or `organisation:<id>`, the value of the grantee filter. */
type GranteeKey = `${'user' | 'organisation'}:${string}`;

function granteeFilter(key: GranteeKey | undefined): { userId?: string; organisationId?: string } {
  if (!key) return {};
  const [kind, ...rest] = key.split(':');
  const id = rest.join(':');
  return kind === 'user' ? { userId: id } : { organisationId: id };
}

export function GrantsTable({ users, organisations }: { users: readonly User[]; organisations: readonly Organisation[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [grantee, setGrantee] = useState<GranteeKey | undefined>(undefined);
  const grants = useGrants(granteeFilter(grantee));
  const revoke = useRevokeGrant();
  const when = (iso: string) => new Date(iso).toLocaleString(currentLanguage());
  const granteeName = (g: GrantView) => (g.grantee.username ? `${g.grantee.name ?? ''}（${g.grantee.username}）` : (g.grantee.name ?? g.grantee.id));
  const subject = (g: GrantView) => `${t(`admin.accounts.subjectTypes.${g.subjectType}`)} ${g.subjectId}`;

  const columns: TableColumnsType<GrantView> = [
    {
      key: 'grantee',
      title: t('admin.accounts.grantee'),
      render: (_, g) => (
        <Space size={4}>
          <Tag>{t(g.grantee.kind === 'user' ? 'admin.accounts.grantToUser' : 'admin.accounts.grantToOrganisation')}</Tag>
          {granteeName(g)}
        </Space>
      ),
    },
    { key: 'subject', title: t('admin.accounts.grantSubject'), render: (_, g) => subject(g) },
    { key: 'level', title: t('admin.accounts.level'), render: (_, g) => t(`admin.accounts.levels.${g.level}`) },
    { key: 'expires', title: t('admin.accounts.expiresAt'), render: (_, g) => (g.expiresAt ? when(g.expiresAt) : t('admin.accounts.noExpiry')) },
    {
      key: 'granted',
      title: t('admin.accounts.grantedBy'),
      render: (_, g) => (
        <Space orientation="vertical" size={0}>
          {g.grantedBy.username ?? g.grantedBy.id}
          <Typography.Text type="secondary">{when(g.grantedAt)}</Typography.Text>
        </Space>
      ),
    },
    { key: 'status', title: t('admin.accounts.status'), render: (_, g) => <Tag color={STATUS_COLOURS[g.status]}>{t(`admin.accounts.grantStatuses.${g.status}`)}</Tag> },
    {
      key: 'actions',
      title: t('admin.accounts.actions'),
      render: (_, g) =>
        g.status === 'revoked' ? null : (
          <Popconfirm
            title={t('admin.accounts.revokeGrantConfirm', { grantee: granteeName(g), subject: subject(g) })}
            onConfirm={() =>
              revoke.mutateAsync(g.id).then(
                () => void message.success(t('admin.accounts.revokedGrant', { grantee: granteeName(g) })),
                (error: unknown) => void message.error(error instanceof ApiError ? error.message : t('common.networkError')),
              )
            }
          >
            <Button size="small" danger data-testid={`grant-revoke-${g.id}`}>
              {t('admin.accounts.revokeGrant')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Space orientation="vertical" size="small" style={{ width: '100%' }}>
      <Select<GranteeKey>
        allowClear
        style={{ minWidth: 280 }}
        placeholder={t('admin.accounts.filterGrantee')}
        value={grantee}
        onChange={(value) => setGrantee(value)}
        showSearch={{ optionFilterProp: 'label' }}
        data-testid="grant-filter"
        options={[
          { label: t('admin.accounts.grantToUser'), options: users.map((u) => ({ value: `user:${u.id}` as GranteeKey, label: `${u.displayName}（${u.username}）` })) },
          { label: t('admin.accounts.grantToOrganisation'), options: organisations.map((o) => ({ value: `organisation:${o.id}` as GranteeKey, label: o.name })) },
        ]}
      />
      {grants.error && <QueryError error={grants.error} onRetry={() => void grants.refetch()} />}
      <Table<GrantView>
        data-testid="grant-table"
        rowKey="id"
        size="small"
        loading={grants.isPending}
        columns={columns}
        dataSource={grants.data ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onRow={(g) => ({ 'data-testid': `grant-row-${g.id}` }) as React.HTMLAttributes<HTMLElement>}
      />
    </Space>
  );
}
