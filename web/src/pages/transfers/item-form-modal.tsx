/**
 * One item of a draft hand-over: its DA/T 46 description (题名, 责任者, 日期, 年度,
 * 保管期限, and 档号, 文号, 页数 when the agency has them) and the uploaded files it
 * consists of. The form warns about an impossible date but lets it through: the
 * four-property checks judge the agency's data, and the report shows what to fix.
 * Adding keeps 责任者, 年度 and 保管期限 for the next item.
 */
import { Alert, App, Button, Col, Form, Input, InputNumber, Modal, Row, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAddItems, useUpdateTransferItem, type TransferItemInput } from '../../api/transfers.js';
import { QueryError } from '../../components/query-error.js';
import { isValidArchivalDate } from '../catalog/archival-date.js';

const retentions = ['Y', 'D30', 'D10'] as const;

export interface ItemFormValues {
  title: string;
  responsible: string;
  date: string;
  year: number;
  retention: (typeof retentions)[number];
  archivalCode?: string;
  docNumber?: string;
  pageCount?: number | null;
  files: string[];
}

export interface ItemFormModalProps {
  transferId: string;
  /** The item being corrected (PUT), or null to add new ones. */
  itemId: string | null;
  initial: Partial<ItemFormValues>;
  /** Files of the hand-over to choose from; other paths may be typed. */
  files: readonly string[];
  /** What the checks or the archive said about this item, shown above the form. */
  problems: readonly string[];
  onClose: () => void;
}

function toInput(values: ItemFormValues): TransferItemInput {
  const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  return {
    metadata: {
      title: values.title.trim(),
      responsible: values.responsible.trim(),
      date: values.date.trim(),
      year: values.year,
      retention: values.retention,
      // An unclassified installation takes 非密 records only.
      classification: '非密',
      archivalCode: optional(values.archivalCode),
      docNumber: optional(values.docNumber),
      pageCount: values.pageCount ?? undefined,
    },
    files: values.files.map((path) => ({ path })),
  };
}

export function ItemFormModal({ transferId, itemId, initial, files, problems, onClose }: ItemFormModalProps) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ItemFormValues>();
  const add = useAddItems();
  const update = useUpdateTransferItem();
  const failed = add.error ?? update.error;
  const label = (key: 'title' | 'responsible' | 'date' | 'year' | 'retention' | 'archivalCode' | 'docNumber' | 'pageCount') => tBase(`admin.catalog.fields.${key}`);
  const required = (text: string) => ({ required: true, message: t('form.required', { label: text }) });

  const save = async (next: boolean) => {
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const item = toInput(values);
    if (itemId) {
      update.mutate({ id: transferId, itemId, item }, { onSuccess: () => { void message.success(t('items.updated')); onClose(); } });
      return;
    }
    add.mutate(
      { id: transferId, items: [item] },
      {
        onSuccess: () => {
          void message.success(t('items.added'));
          if (!next) return onClose();
          form.resetFields(['title', 'date', 'archivalCode', 'docNumber', 'pageCount', 'files']);
        },
      },
    );
  };

  // The year follows the date while the year has not been typed.
  const followDate = (changed: Partial<ItemFormValues>) => {
    if (changed.date && /^\d{4}/.test(changed.date) && !form.isFieldTouched('year')) form.setFieldValue('year', Number(changed.date.slice(0, 4)));
  };

  const pending = add.isPending || update.isPending;
  return (
    <Modal
      open
      width={760}
      title={itemId ? t('items.editTitle') : t('items.addTitle')}
      onCancel={onClose}
      destroyOnHidden
      maskClosable={false}
      footer={
        <Space>
          <Button onClick={onClose}>{t('form.cancel')}</Button>
          {!itemId && (
            <Button loading={pending} onClick={() => void save(true)} data-testid="item-save-next">
              {t('items.saveAndNext')}
            </Button>
          )}
          <Button type="primary" loading={pending} onClick={() => void save(false)} data-testid="item-save">
            {t('form.save')}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {problems.length > 0 && <Alert type="warning" showIcon title={t('items.toFix')} description={problems.map((p) => <div key={p}>{p}</div>)} data-testid="item-problems" />}
        {itemId && <Alert type="info" showIcon title={t('items.editHint')} />}
        {failed && <QueryError error={failed} />}
        <Form<ItemFormValues> form={form} layout="vertical" initialValues={{ retention: 'Y', files: [], ...initial }} onValuesChange={followDate} data-testid="item-form">
          <Row gutter={16}>
            <Col span={24}>
              <Form.Item name="title" label={label('title')} rules={[{ ...required(label('title')), whitespace: true }]}>
                <Input autoFocus maxLength={500} data-testid="item-title" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="responsible" label={label('responsible')} rules={[{ ...required(label('responsible')), whitespace: true }]}>
                <Input maxLength={200} data-testid="item-responsible" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item
                name="date"
                label={label('date')}
                rules={[
                  { ...required(label('date')), whitespace: true },
                  { warningOnly: true, validator: async (_, value: unknown) => { if (value && !isValidArchivalDate(String(value).trim())) throw new Error(t('items.dateWarning')); } },
                ]}
              >
                <Input maxLength={8} inputMode="numeric" placeholder="20240315" data-testid="item-date" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="year" label={label('year')} rules={[required(label('year'))]}>
                <InputNumber min={1000} max={2999} precision={0} style={{ width: '100%' }} data-testid="item-year" />
              </Form.Item>
            </Col>
            <Col xs={12} md={8}>
              <Form.Item name="retention" label={label('retention')} rules={[required(label('retention'))]}>
                <Select options={retentions.map((r) => ({ value: r, label: tBase(`admin.catalog.values.retention.${r}`) }))} data-testid="item-retention" />
              </Form.Item>
            </Col>
            <Col xs={12} md={8}>
              <Form.Item name="pageCount" label={label('pageCount')}>
                <InputNumber min={0} precision={0} style={{ width: '100%' }} data-testid="item-pages" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="docNumber" label={label('docNumber')}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="archivalCode" label={label('archivalCode')} extra={t('items.codeHint')}>
                <Input maxLength={100} placeholder="J001-WS·2024-Y-0001" data-testid="item-code" />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="files" label={t('items.files')} extra={t('items.filesHint')}>
                <Select mode="tags" tokenSeparators={['\n']} options={files.map((f) => ({ value: f, label: f }))} data-testid="item-files" />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Space>
    </Modal>
  );
}
