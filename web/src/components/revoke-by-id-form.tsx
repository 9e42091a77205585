import type { UseMutationResult } from '@tanstack/react-query';
import { App, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

/** Revokes a grant or an API key by its id (until the server lists them). */
export function RevokeByIdForm(props: { label: string; button: string; success: (id: string) => string; revoke: UseMutationResult<unknown, Error, string> }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ id: string }>();
  return (
    <Form<{ id: string }>
      form={form}
      layout="inline"
      onFinish={({ id }) =>
        props.revoke.mutate(id.trim(), {
          onSuccess: () => {
            void message.success(props.success(id));
            form.resetFields();
          },
          onError: (error) => void message.error(error instanceof ApiError ? error.message : t('common.networkError')),
        })
      }
    >
      <Form.Item name="id" label={props.label} rules={[{ required: true, message: t('admin.accounts.required') }]}>
        <Input style={{ minWidth: 280 }} />
      </Form.Item>
      <Form.Item>
        <Button danger htmlType="submit" loading={props.revoke.isPending}>
          {props.button}
        </Button>
      </Form.Item>
    </Form>
  );
}
