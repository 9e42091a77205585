/**
 * 用户与权限: the accounts table for the system admin (create, disable, enable,
 * reset password; organisations and filing-API keys) and the security admin
 * (roles, clearance, organisation scopes, access grants, the access policy).
 * Other roles see the server's refusal.
 */
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { roles, staffRoles, useCreateUser, useOrganisations, useResetPassword, useScopes, useSetDisabled, useUsers, type NewUser, type Organisation, type User } from '../../api/accounts.js';
import { useSession } from '../../api/auth.js';
import { ApiError } from '../../api/client.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { AccessPolicyCard } from './access-policy-card.js';
import { GrantsCard } from './grants-card.js';
import { OrganisationsCard } from './organisations-card.js';
import { ClearanceModal, RolesModal, ScopesModal } from './security-modals.js';

/** The server's message of a failed mutation, or the generic network text. */
export function useFailureText() {
  const { t } = useTranslation();
  return (error: unknown) => (error instanceof ApiError ? error.message : t('common.networkError'));
}

type Dialog = { kind: 'create' } | { kind: 'reset' | 'roles' | 'clearance' | 'scopes'; user: User } | null;

/** Whether the account holds a role whose staff privilege a scope can confine. */
const isStaff = (user: User) => user.roles.some((r) => (staffRoles as readonly string[]).includes(r));

export function AccountsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const failure = useFailureText();
  useDocumentTitle(t('admin.groups.system.items.users.title'), 'workbench');
  const session = useSession();
  const users = useUsers();
  const organisations = useOrganisations();
  const viewerRoles = session.data?.user.roles ?? [];
  const isSystemAdmin = viewerRoles.includes('system_admin');
  const isSecurityAdmin = viewerRoles.includes('security_admin');
  const [dialog, setDialog] = useState<Dialog>(null);
  const scopes = useScopes(isSecurityAdmin);
  const agencies: Organisation[] = (organisations.data ?? []).filter((o) => o.kind === 'agency');
  const scopeOf = (user: User): string[] => scopes.data?.find((s) => s.userId === user.id)?.agencyIds ?? [];

  const setDisabled = useSetDisabled();

  const columns: TableColumnsType<User> = [
    { key: 'username', dataIndex: 'username', title: t('admin.accounts.username') },
    { key: 'displayName', dataIndex: 'displayName', title: t('admin.accounts.displayName') },
    { key: 'organisation', dataIndex: 'organisationName', title: t('admin.accounts.organisation') },
    {
      key: 'roles',
      title: t('admin.accounts.roles'),
      render: (_, user) =>
        user.roles.length === 0 ? (
          <Typography.Text type="secondary">{t('admin.accounts.noRoles')}</Typography.Text>
        ) : (
          <Space size={[0, 4]} wrap>
            {user.roles.map((role) => (
              <Tag key={role}>{(roles as readonly string[]).includes(role) ? t(`admin.accounts.roleNames.${role as (typeof roles)[number]}`) : role}</Tag>
            ))}
          </Space>
        ),
    },
    { key: 'clearance', dataIndex: 'clearance', title: t('admin.accounts.clearance') },
    ...(isSecurityAdmin
      ? [
          {
            key: 'scopes',
            title: t('admin.accounts.scopes'),
            render: (_: unknown, user: User) => {
              if (!isStaff(user)) return <Typography.Text type="secondary">—</Typography.Text>;
              const scope = scopeOf(user);
              if (scope.length === 0) return <Typography.Text type="secondary">{t('admin.accounts.scopesAll')}</Typography.Text>;
              return (
                <Space size={[0, 4]} wrap data-testid={`scopes-of-${user.username}`}>
                  {scope.map((id) => (
                    <Tag key={id}>{agencies.find((a) => a.id === id)?.name ?? id}</Tag>
                  ))}
                </Space>
              );
            },
          },
        ]
      : []),
    {
      key: 'status',
      title: t('admin.accounts.status'),
      render: (_, user) => (
        <Space size={[0, 4]} wrap>
          {user.disabled ? <Tag color="error">{t('admin.accounts.disabled')}</Tag> : <Tag color="success">{t('admin.accounts.active')}</Tag>}
          {user.mustChangePassword && <Tag color="warning">{t('admin.accounts.mustChange')}</Tag>}
          {user.totpEnabled && <Tag color="blue">{t('admin.accounts.totp')}</Tag>}
        </Space>
      ),
    },
  ];
  if (isSystemAdmin || isSecurityAdmin) {
    columns.push({
      key: 'actions',
      title: t('admin.accounts.actions'),
      render: (_, user) => (
        <Space size="small" wrap>
          {isSystemAdmin &&
            (user.disabled ? (
              <Button
                size="small"
                onClick={() =>
                  setDisabled.mutate(
                    { id: user.id, disabled: false },
                    { onSuccess: () => void message.success(t('admin.accounts.enabledDone', { username: user.username })), onError: (error) => void message.error(failure(error)) },
                  )
                }
              >
                {t('admin.accounts.enable')}
              </Button>
            ) : (
              <Popconfirm
                title={t('admin.accounts.disableConfirm', { username: user.username })}
                onConfirm={() =>
                  setDisabled.mutateAsync({ id: user.id, disabled: true }).then(
                    () => void message.success(t('admin.accounts.disabledDone', { username: user.username })),
                    (error: unknown) => void message.error(failure(error)),
                  )
                }
              >
                <Button size="small" danger>
                  {t('admin.accounts.disable')}
                </Button>
              </Popconfirm>
            ))}
          {isSystemAdmin && (
            <Button size="small" onClick={() => setDialog({ kind: 'reset', user })}>
              {t('admin.accounts.resetPassword')}
            </Button>
          )}
          {isSecurityAdmin && (
            <Button size="small" data-testid={`set-roles-${user.username}`} onClick={() => setDialog({ kind: 'roles', user })}>
              {t('admin.accounts.setRoles')}
            </Button>
          )}
          {isSecurityAdmin && (
            <Button size="small" onClick={() => setDialog({ kind: 'clearance', user })}>
              {t('admin.accounts.setClearance')}
            </Button>
          )}
          {isSecurityAdmin && isStaff(user) && (
            <Button size="small" data-testid={`set-scopes-${user.username}`} onClick={() => setDialog({ kind: 'scopes', user })}>
              {t('admin.accounts.setScopes')}
            </Button>
          )}
        </Space>
      ),
    });
  }

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {t('admin.groups.system.items.users.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.accounts.intro')}</Typography.Paragraph>
      {users.error ? (
        <RefusedOrError error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Card
            title={t('admin.accounts.users')}
            extra={
              isSystemAdmin && (
                <Button type="primary" icon={<PlusOutlined />} data-testid="user-create" onClick={() => setDialog({ kind: 'create' })}>
                  {t('admin.accounts.create')}
                </Button>
              )
            }
          >
            <Table<User>
              data-testid="user-table"
              rowKey="id"
              size="small"
              loading={users.isPending}
              columns={columns}
              dataSource={users.data ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              scroll={{ x: 'max-content' }}
              onRow={(user) => ({ 'data-testid': `user-row-${user.username}` }) as React.HTMLAttributes<HTMLElement>}
            />
          </Card>
          {(isSystemAdmin || isSecurityAdmin) && <OrganisationsCard organisations={organisations} canManage={isSystemAdmin} />}
          {isSecurityAdmin && <GrantsCard users={users.data ?? []} organisations={organisations.data ?? []} />}
          {isSecurityAdmin && <AccessPolicyCard />}
        </Space>
      )}
      {dialog?.kind === 'create' && <CreateUserModal onClose={() => setDialog(null)} organisations={organisations.data ?? []} />}
      {dialog?.kind === 'reset' && <ResetPasswordModal user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'roles' && <RolesModal user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'clearance' && <ClearanceModal user={dialog.user} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'scopes' && <ScopesModal user={dialog.user} agencies={agencies} current={scopeOf(dialog.user)} onClose={() => setDialog(null)} />}
    </>
  );
}

function CreateUserModal({ onClose, organisations }: { onClose: () => void; organisations: readonly { id: string; name: string; disabled: boolean }[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<NewUser>();
  const create = useCreateUser();
  const required = [{ required: true, message: t('admin.accounts.required') }];
  return (
    <Modal
      open
      title={t('admin.accounts.create')}
      okText={t('admin.accounts.create')}
      confirmLoading={create.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'user-create-submit' }}
      destroyOnHidden
    >
      {create.error && <Typography.Paragraph type="danger" data-testid="user-create-error">{create.error instanceof ApiError ? create.error.message : t('common.networkError')}</Typography.Paragraph>}
      <Form<NewUser>
        form={form}
        layout="vertical"
        data-testid="user-create-form"
        onFinish={(values) =>
          create.mutate(values, {
            onSuccess: () => {
              void message.success(t('admin.accounts.created', { username: values.username }));
              onClose();
            },
          })
        }
      >
        <Form.Item name="username" label={t('admin.accounts.username')} rules={[...required, { pattern: /^[A-Za-z0-9_.-]{3,64}$/, message: t('admin.accounts.usernameRule') }]}>
          <Input autoComplete="off" data-testid="user-create-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('admin.accounts.displayName')} rules={required}>
          <Input data-testid="user-create-display-name" />
        </Form.Item>
        <Form.Item name="organisationId" label={t('admin.accounts.organisation')} rules={required}>
          <Select
            data-testid="user-create-organisation"
            showSearch={{ optionFilterProp: 'label' }}
            options={organisations.filter((o) => !o.disabled).map((o) => ({ value: o.id, label: o.name }))}
          />
        </Form.Item>
        <Form.Item name="password" label={t('admin.accounts.password')} extra={t('admin.accounts.passwordHint')} rules={required}>
          <Input.Password autoComplete="new-password" data-testid="user-create-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ temporaryPassword: string }>();
  const reset = useResetPassword();
  return (
    <Modal open title={t('admin.accounts.resetTitle', { username: user.username })} confirmLoading={reset.isPending} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      {reset.error && <Typography.Paragraph type="danger">{reset.error instanceof ApiError ? reset.error.message : t('common.networkError')}</Typography.Paragraph>}
      <Form
        form={form}
        layout="vertical"
        onFinish={({ temporaryPassword }) =>
          reset.mutate(
            { id: user.id, temporaryPassword },
            {
              onSuccess: () => {
                void message.success(t('admin.accounts.resetDone', { username: user.username }));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="temporaryPassword" label={t('admin.accounts.temporaryPassword')} extra={t('admin.accounts.resetHint')} rules={[{ required: true, message: t('admin.accounts.required') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
