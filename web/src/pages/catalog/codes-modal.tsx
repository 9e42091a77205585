/**
 * 生成档号: the server plans the codes first (old → new, and the items it cannot
 * code and why); only after the archivist has seen the plan is it applied, as one
 * audited change that records every old code.
 */
import { Alert, App, Form, Input, Modal, Radio, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCodeApply, useCodePreview, type CodeChange, type CodeProblem, type CodeRequest } from '../../api/catalog-arrange.js';
import { QueryError } from '../../components/query-error.js';
import { currentLanguage } from '../../i18n/i18n.js';

export interface CodesModalProps {
  /** The chosen items, or a tree node's filter. */
  target: Pick<CodeRequest, 'itemIds' | 'filter'>;
  scopeText: string;
  onClose: () => void;
}

export function CodesModal({ target, scopeText, onClose }: CodesModalProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [mode, setMode] = useState<CodeRequest['mode']>('generate');
  const [reason, setReason] = useState('');
  const preview = useCodePreview();
  const apply = useCodeApply();
  const { mutate } = preview;

  useEffect(() => {
    mutate({ mode, ...target });
  }, [mode, target, mutate]);

  const plan = preview.data;
  const english = currentLanguage() === 'en';
  const run = () =>
    apply.mutate(
      { mode, ...target, reason: reason.trim() || undefined },
      {
        onSuccess: (result) => {
          void message.success(t('admin.catalog.codes.applied', { count: result.changed }));
          onClose();
        },
      },
    );

  return (
    <Modal
      open
      width={900}
      title={t('admin.catalog.codes.title')}
      okText={t('admin.catalog.codes.apply')}
      okButtonProps={{ disabled: !plan || plan.changes.length === 0, 'data-testid': 'codes-apply' }}
      confirmLoading={apply.isPending}
      onOk={run}
      onCancel={onClose}
      destroyOnHidden
    >
      <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="codes-modal">
        <Typography.Text>{scopeText}</Typography.Text>
        <Radio.Group value={mode} onChange={(e) => setMode(e.target.value as CodeRequest['mode'])}>
          <Radio value="generate">{t('admin.catalog.codes.generate')}</Radio>
          <Radio value="renumber">{t('admin.catalog.codes.renumber')}</Radio>
        </Radio.Group>
        {preview.error && <QueryError error={preview.error} />}
        {apply.error && <QueryError error={apply.error} />}
        {plan && plan.changes.length === 0 && plan.problems.length === 0 && <Alert type="info" showIcon title={t('admin.catalog.codes.nothing')} />}
        {plan && plan.problems.length > 0 && (
          <Table<CodeProblem>
            data-testid="codes-problems"
            title={() => <Typography.Text type="danger">{t('admin.catalog.codes.problems', { count: plan.problems.length })}</Typography.Text>}
            rowKey="id"
            size="small"
            pagination={{ pageSize: 5, hideOnSinglePage: true }}
            dataSource={plan.problems}
            columns={[
              { key: 'title', dataIndex: 'title', title: t('admin.catalog.fields.title') },
              { key: 'problem', title: t('admin.catalog.import.problem'), render: (_, p) => (english ? p.en : p.zh) },
            ]}
          />
        )}
        {plan && plan.changes.length > 0 && (
          <Table<CodeChange>
            data-testid="codes-changes"
            title={() => t('admin.catalog.codes.changes', { count: plan.changes.length })}
            rowKey={(c) => `${c.entityType}-${c.id}`}
            size="small"
            loading={preview.isPending}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            dataSource={plan.changes}
            columns={[
              { key: 'title', dataIndex: 'title', title: t('admin.catalog.fields.title'), ellipsis: true },
              { key: 'old', title: t('admin.catalog.detail.oldCode'), render: (_, c) => c.oldCode ?? '—' },
              { key: 'new', title: t('admin.catalog.detail.newCode'), render: (_, c) => <Typography.Text strong>{c.newCode}</Typography.Text> },
            ]}
          />
        )}
        {plan && plan.unchanged > 0 && <Typography.Text type="secondary">{t('admin.catalog.codes.unchanged', { count: plan.unchanged })}</Typography.Text>}
        <Form layout="vertical">
          <Form.Item label={t('admin.catalog.codes.reason')} style={{ marginBottom: 0 }}>
            <Input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} placeholder={t('admin.catalog.codes.reasonPlaceholder')} />
          </Form.Item>
        </Form>
      </Space>
    </Modal>
  );
}
