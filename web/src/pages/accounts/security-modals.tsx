/**
 * The security admin's dialogs for one account: its roles (三员分立 checked by the
 * server), its clearance, and — for archive staff — its organisation scope, the
 * filing agencies whose controlled records its staff privilege covers.
 */
import { App, Form, Modal, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { clearances, roles, useSetClearance, useSetRoles, useSetScopes, type Clearance, type Organisation, type User } from '../../api/accounts.js';
import { ApiError } from '../../api/client.js';

export function RolesModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ roles: string[] }>();
  const setRoles = useSetRoles();
  return (
    <Modal open title={t('admin.accounts.rolesTitle', { username: user.username })} confirmLoading={setRoles.isPending} okButtonProps={{ 'data-testid': 'roles-submit' }} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('admin.accounts.rolesHint')}</Typography.Paragraph>
      {setRoles.error && (
        <Typography.Paragraph type="danger" data-testid="roles-error">
          {setRoles.error instanceof ApiError ? setRoles.error.message : t('common.networkError')}
        </Typography.Paragraph>
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ roles: user.roles }}
        onFinish={(values) =>
          setRoles.mutate(
            { id: user.id, roles: values.roles },
            {
              onSuccess: () => {
                void message.success(t('admin.accounts.rolesDone', { username: user.username }));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="roles" label={t('admin.accounts.roles')}>
          <Select mode="multiple" options={roles.map((role) => ({ value: role, label: t(`admin.accounts.roleNames.${role}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ClearanceModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ clearance: Clearance }>();
  const setClearance = useSetClearance();
  return (
    <Modal open title={t('admin.accounts.clearanceTitle', { username: user.username })} confirmLoading={setClearance.isPending} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      {setClearance.error && <Typography.Paragraph type="danger">{setClearance.error instanceof ApiError ? setClearance.error.message : t('common.networkError')}</Typography.Paragraph>}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ clearance: user.clearance }}
        onFinish={(values) =>
          setClearance.mutate(
            { id: user.id, clearance: values.clearance },
            {
              onSuccess: () => {
                void message.success(t('admin.accounts.clearanceDone', { username: user.username }));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="clearance" label={t('admin.accounts.clearance')} rules={[{ required: true, message: t('admin.accounts.required') }]}>
          <Select options={clearances.map((c) => ({ value: c, label: c }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ScopesModal({ user, agencies, current, onClose }: { user: User; agencies: readonly Organisation[]; current: readonly string[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ agencyIds: string[] }>();
  const setScopes = useSetScopes();
  return (
    <Modal open title={t('admin.accounts.scopesTitle', { username: user.username })} confirmLoading={setScopes.isPending} okButtonProps={{ 'data-testid': 'scopes-submit' }} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('admin.accounts.scopesHint')}</Typography.Paragraph>
      {setScopes.error && (
        <Typography.Paragraph type="danger" data-testid="scopes-error">
          {setScopes.error instanceof ApiError ? setScopes.error.message : t('common.networkError')}
        </Typography.Paragraph>
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ agencyIds: [...current] }}
        onFinish={(values) =>
          setScopes.mutate(
            { id: user.id, agencyIds: values.agencyIds },
            {
              onSuccess: () => {
                void message.success(t('admin.accounts.scopesDone', { username: user.username }));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="agencyIds" label={t('admin.accounts.scopes')}>
          <Select
            mode="multiple"
            allowClear
            data-testid="scopes-select"
            placeholder={t('admin.accounts.scopesAll')}
            showSearch={{ optionFilterProp: 'label' }}
            options={agencies.map((a) => ({ value: a.id, label: a.code ? `${a.code} ${a.name}` : a.name, disabled: a.disabled && !current.includes(a.id) }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
