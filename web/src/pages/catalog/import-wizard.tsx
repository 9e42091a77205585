/**
 * 导入目录: choose the fonds and category (and take the category's template if the
 * agency has none), upload the spreadsheet as it is, then correct what the check
 * reports and apply. Nothing enters the catalog before 应用导入.
 */
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { App, Button, Form, Modal, Select, Space, Steps, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category, Fonds } from '../../api/catalog.js';
import { importTemplatePath, useApplyImport, useUploadImport, type ImportSummary } from '../../api/catalog-import.js';
import { QueryError } from '../../components/query-error.js';
import { ImportReport } from './import-report.js';

export interface ImportWizardProps {
  fonds: readonly Fonds[];
  categories: readonly Category[];
  defaults: { fondsId?: string; categoryId?: string };
  onClose: () => void;
  /** Called with where the items went, so the table can show them. */
  onImported: (target: { fondsId: string; categoryId: string }) => void;
}

interface Target {
  fondsId: string;
  categoryId: string;
}

export function ImportWizard({ fonds, categories, defaults, onClose, onImported }: ImportWizardProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Target>();
  const categoryId = Form.useWatch('categoryId', form) ?? defaults.categoryId;
  const [target, setTarget] = useState<Target | null>(null);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const upload = useUploadImport();
  const apply = useApplyImport();
  const step = summary ? 2 : target ? 1 : 0;

  const runApply = () => {
    if (!summary || !target) return;
    apply.mutate(summary.id, {
      onSuccess: ({ imported }) => {
        void message.success(t('admin.catalog.import.applied', { count: imported }));
        onImported(target);
        onClose();
      },
    });
  };

  const footer = (
    <Space>
      {step > 0 && (
        <Button
          onClick={() => {
            if (step === 2) setSummary(null);
            else setTarget(null);
          }}
        >
          {step === 2 ? t('admin.catalog.import.again') : t('admin.catalog.import.back')}
        </Button>
      )}
      {step === 0 && (
        <Button type="primary" onClick={() => form.submit()} data-testid="import-next">
          {t('admin.catalog.import.next')}
        </Button>
      )}
      {step === 2 && (
        <Button type="primary" disabled={summary?.errorRows !== 0 || summary.status !== 'checked'} loading={apply.isPending} onClick={runApply} data-testid="import-apply">
          {t('admin.catalog.import.apply')}
        </Button>
      )}
    </Space>
  );

  return (
    <Modal open width={1000} title={t('admin.catalog.import.title')} onCancel={onClose} footer={footer} destroyOnHidden maskClosable={false}>
      <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="import-wizard">
        <Steps
          size="small"
          current={step}
          items={[{ title: t('admin.catalog.import.steps.choose') }, { title: t('admin.catalog.import.steps.upload') }, { title: t('admin.catalog.import.steps.check') }]}
        />
        {step === 0 && (
          <Form<Target> form={form} layout="vertical" initialValues={defaults} onFinish={setTarget}>
            <Form.Item name="fondsId" label={t('admin.catalog.fields.fonds')} rules={[{ required: true, message: t('admin.catalog.form.choose', { label: t('admin.catalog.fields.fonds') }) }]}>
              <Select showSearch={{ optionFilterProp: 'label' }} options={fonds.map((f) => ({ value: f.id, label: `${f.code} ${f.name}` }))} data-testid="import-fonds" />
            </Form.Item>
            <Form.Item name="categoryId" label={t('admin.catalog.fields.category')} rules={[{ required: true, message: t('admin.catalog.form.choose', { label: t('admin.catalog.fields.category') }) }]}>
              <Select options={categories.filter((c) => c.enabled).map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))} data-testid="import-category" />
            </Form.Item>
            <Space orientation="vertical">
              <Button icon={<DownloadOutlined />} disabled={!categoryId} href={categoryId ? importTemplatePath(categoryId) : undefined} download data-testid="import-template">
                {t('admin.catalog.import.template')}
              </Button>
              <Typography.Text type="secondary">{t('admin.catalog.import.templateHint')}</Typography.Text>
            </Space>
          </Form>
        )}
        {step === 1 && target && (
          <>
            {upload.error && <QueryError error={upload.error} />}
            <Upload.Dragger
              accept=".xlsx,.csv"
              multiple={false}
              showUploadList={false}
              disabled={upload.isPending}
              customRequest={({ file, onSuccess, onError }) => {
                if (!(file instanceof File)) return;
                upload.mutate(
                  { ...target, file },
                  {
                    onSuccess: (result) => {
                      onSuccess?.(result);
                      setSummary(result);
                    },
                    onError: (error) => onError?.(error),
                  },
                );
              }}
              data-testid="import-upload"
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{t('admin.catalog.import.drop')}</p>
              <p className="ant-upload-hint">{t('admin.catalog.import.dropHint')}</p>
            </Upload.Dragger>
          </>
        )}
        {step === 2 && summary && (
          <>
            {apply.error && <QueryError error={apply.error} />}
            <ImportReport summary={summary} onSummary={setSummary} />
          </>
        )}
      </Space>
    </Modal>
  );
}
