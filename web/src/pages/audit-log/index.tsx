/**
 * 审计日志: the security admin reviews ordinary users' entries; the auditor
 * reviews the two admins' entries and sees the chain check on top. Others
 * see the server's refusal.
 */
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { auditEntriesPath, useAuditEntries, useAuditVerification, type AuditEntry, type AuditFilters } from '../../api/audit.js';
import { useSession } from '../../api/auth.js';
import { QueryError } from '../../components/query-error.js';
import { RefusedOrError } from '../../components/refused-result.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { currentLanguage } from '../../i18n/i18n.js';

const resultColours: Record<string, string> = { ok: 'success', refused: 'warning', failed: 'error' };

function VerificationAlert() {
  const { t } = useTranslation();
  const verification = useAuditVerification(true);
  if (verification.error) return <QueryError error={verification.error} onRetry={() => void verification.refetch()} />;
  const data = verification.data;
  if (!data) return null;
  if (data.ok) {
    return (
      <Alert
        type="success"
        showIcon
        data-testid="audit-verified"
        data-ok="true"
        title={t('admin.audit.verified')}
        description={t('admin.audit.verifiedDetail', { entries: data.entries, checkpoints: data.checkpointsChecked })}
      />
    );
  }
  const broken = data.firstBroken;
  return (
    <Alert
      type="error"
      showIcon
      data-testid="audit-verified"
      data-ok="false"
      title={t('admin.audit.broken')}
      description={broken ? (currentLanguage() === 'en' ? broken.en : broken.zh) : undefined}
    />
  );
}

export function AuditLogPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('admin.groups.system.items.audit.title'), 'workbench');
  const session = useSession();
  const isAuditor = session.data?.user.roles.includes('auditor') ?? false;
  const [filters, setFilters] = useState<AuditFilters>({});
  const [form] = Form.useForm<{ action?: string; actor?: string }>();
  const entries = useAuditEntries(filters);

  const columns: TableColumnsType<AuditEntry> = [
    { key: 'seq', dataIndex: 'seq', title: t('admin.audit.seq') },
    { key: 'at', title: t('admin.audit.at'), render: (_, e) => new Date(e.at).toLocaleString(currentLanguage()) },
    { key: 'actor', title: t('admin.audit.actor'), render: (_, e) => <span data-testid="audit-actor">{e.actorUsername ?? '—'}</span> },
    { key: 'actorClass', dataIndex: 'actorClass', title: t('admin.audit.actorClass') },
    { key: 'address', dataIndex: 'actorAddress', title: t('admin.audit.address') },
    { key: 'action', dataIndex: 'action', title: t('admin.audit.action') },
    {
      key: 'target',
      title: t('admin.audit.target'),
      render: (_, e) => [e.targetType, e.targetLabel ?? e.targetId].filter(Boolean).join(' · '),
    },
    {
      key: 'result',
      title: t('admin.audit.result'),
      render: (_, e) => (
        <Tag color={resultColours[e.result] ?? 'default'} data-result={e.result}>
          {e.result === 'ok' || e.result === 'refused' || e.result === 'failed' ? t(`admin.audit.results.${e.result}`) : e.result}
        </Tag>
      ),
    },
    { key: 'reason', dataIndex: 'reason', title: t('admin.audit.reason') },
  ];

  return (
    <>
      <Typography.Title level={2} data-testid="page-title">
        {t('admin.groups.system.items.audit.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('admin.audit.intro')}</Typography.Paragraph>
      {entries.error ? (
        <RefusedOrError error={entries.error} onRetry={() => void entries.refetch()} />
      ) : (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          {isAuditor && <VerificationAlert />}
          <Card>
            <Form
              form={form}
              layout="inline"
              data-testid="audit-filters"
              onFinish={(values) => setFilters({ action: values.action?.trim() || undefined, actor: values.actor?.trim() || undefined })}
            >
              <Form.Item name="action" label={t('admin.audit.action')}>
                <Input allowClear placeholder={t('admin.audit.actionPlaceholder')} />
              </Form.Item>
              <Form.Item name="actor" label={t('admin.audit.actor')}>
                <Input allowClear placeholder={t('admin.audit.actorPlaceholder')} />
              </Form.Item>
              <Form.Item>
                <Space>
                  <Button type="primary" htmlType="submit">
                    {t('admin.audit.search')}
                  </Button>
                  <Button
                    onClick={() => {
                      form.resetFields();
                      setFilters({});
                    }}
                  >
                    {t('admin.audit.reset')}
                  </Button>
                  <Button icon={<DownloadOutlined />} href={auditEntriesPath(filters, 'csv')} download="audit-entries.csv" data-testid="audit-csv">
                    {t('admin.audit.exportCsv')}
                  </Button>
                </Space>
              </Form.Item>
            </Form>
          </Card>
          <Table<AuditEntry>
            data-testid="audit-table"
            rowKey="id"
            size="small"
            loading={entries.isPending}
            columns={columns}
            dataSource={entries.data ?? []}
            locale={{ emptyText: t('admin.audit.empty') }}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 'max-content' }}
          />
        </Space>
      )}
    </>
  );
}
