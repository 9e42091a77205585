/**
 * Describing an item (著录) or changing its description, in a drawer beside the
 * table. The save buttons sit inside the form, so Enter in any single-line field
 * saves, as in a paper-form workflow. A change sends only the fields that changed
 * with the version read; the server refuses it if someone saved in between.
 */
import { Alert, App, Button, Drawer, Form, Space, theme, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateItem, useOrgCodes, useUpdateItem, useVolumes, type Category, type Fonds, type ItemDetail, type ItemValues } from '../../api/catalog.js';
import { ApiError } from '../../api/client.js';
import { useMeta } from '../../api/meta.js';
import { ItemFormFields, type ItemFormValues } from './item-form-fields.js';

export interface ItemFormDrawerProps {
  /** The item to change, or null to describe a new one. */
  item: ItemDetail | null;
  defaults: { fondsId?: string; categoryId?: string };
  fonds: readonly Fonds[];
  categories: readonly Category[];
  onClose: () => void;
}

const optionalKeys = ['secrecyTerm', 'control', 'orgCode', 'volumeId', 'docNumber', 'docType', 'urgency', 'mainRecipients', 'copyRecipients', 'pageCount', 'subjectTerms', 'keywords', 'abstract', 'remarks'] as const;

const requiredKeys = ['title', 'responsible', 'date', 'year', 'retention', 'classification', 'openness', 'combinationType'] as const;

function initialValues(item: ItemDetail | null, defaults: ItemFormDrawerProps['defaults']): Partial<ItemFormValues> {
  if (!item) return { fondsId: defaults.fondsId, categoryId: defaults.categoryId, classification: '非密', openness: '待定', combinationType: '单件', extensions: {} };
  const values: Partial<ItemFormValues> = {
    fondsId: item.fondsId,
    categoryId: item.categoryId,
    title: item.title,
    responsible: item.responsible,
    date: item.date,
    year: item.year,
    retention: item.retention,
    classification: item.classification,
    openness: item.openness,
    combinationType: item.combinationType,
    extensions: item.extensions,
  };
  for (const key of optionalKeys) Object.assign(values, { [key]: item[key] ?? undefined });
  return values;
}

/** The form's values as the API takes them: text trimmed, empty optional fields as null. */
function toInput(values: ItemFormValues): ItemFormValues {
  const clean = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? null : v.trim()) : (v ?? null));
  const result = { ...values, title: values.title.trim(), responsible: values.responsible.trim(), date: values.date.trim() };
  for (const key of optionalKeys) Object.assign(result, { [key]: clean(values[key]) });
  const extensions: ItemValues['extensions'] = {};
  for (const [key, value] of Object.entries(values.extensions ?? {})) {
    const v = clean(value);
    if (v !== null) extensions[key] = typeof v === 'number' ? v : String(v);
  }
  result.extensions = extensions;
  return result;
}

/** The fields whose value differs from what was read (fonds and category are not changed here). */
function changedFields(values: ItemFormValues, before: Partial<ItemFormValues>): Partial<ItemValues> {
  const after: Record<string, unknown> = { ...toInput(values) };
  const original: Record<string, unknown> = { ...toInput({ ...values, ...before }) };
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (key !== 'fondsId' && key !== 'categoryId' && JSON.stringify(value) !== JSON.stringify(original[key])) changed[key] = value;
  }
  return changed;
}

export function ItemFormDrawer({ item, defaults, fonds, categories, onClose }: ItemFormDrawerProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ItemFormValues>();
  const initial = initialValues(item, defaults);
  const fondsId = Form.useWatch('fondsId', form) ?? initial.fondsId;
  const categoryId = Form.useWatch('categoryId', form) ?? initial.categoryId;
  const category = categories.find((c) => c.id === categoryId);
  const orgCodes = useOrgCodes(fondsId);
  const volumes = useVolumes({ fondsId, categoryId }, category?.arrangement === 'volume' && fondsId !== undefined);
  const meta = useMeta();
  const create = useCreateItem();
  const update = useUpdateItem();
  const [failure, setFailure] = useState<string | null>(null);
  const { token } = theme.useToken();

  const fail = (error: unknown) => {
    if (!(error instanceof ApiError)) return setFailure(t('common.networkError'));
    setFailure(error.message);
    const details = error.details;
    const field = typeof details === 'object' && details !== null && 'field' in details && typeof details.field === 'string' ? details.field : null;
    const extension = field?.startsWith('extensions.') ? field.slice('extensions.'.length) : null;
    const known = [...optionalKeys, ...requiredKeys].find((key) => key === field);
    if (extension) form.setFields([{ name: ['extensions', extension], errors: [error.message] }]);
    else if (known) form.setFields([{ name: known, errors: [error.message] }]);
  };

  const submit = (values: ItemFormValues) => {
    setFailure(null);
    if (item) {
      const changed = changedFields(values, initial);
      update.mutate({ id: item.id, version: item.version, ...changed }, { onSuccess: () => { void message.success(t('admin.catalog.form.saved')); onClose(); }, onError: fail });
    } else {
      const input = toInput(values);
      create.mutate(input, { onSuccess: () => { void message.success(t('admin.catalog.form.created', { title: input.title })); onClose(); }, onError: fail });
    }
  };

  return (
    <Drawer open size={760} title={item ? t('admin.catalog.form.editTitle') : t('admin.catalog.form.createTitle')} onClose={onClose} destroyOnHidden>
      <Form<ItemFormValues>
        form={form}
        layout="vertical"
        initialValues={initial}
        data-testid="item-form"
        onFinish={submit}
        onValuesChange={(changed: Partial<ItemFormValues>) => {
          // The year follows the date until the archivist sets it apart (年度 is usually the date's year).
          if (typeof changed.date === 'string' && /^\d{4}/.test(changed.date) && !form.isFieldTouched('year')) {
            form.setFieldValue('year', Number(changed.date.slice(0, 4)));
          }
          if (changed.fondsId !== undefined) form.setFieldValue('orgCode', undefined);
        }}
      >
        {failure && <Alert type="error" showIcon title={failure} style={{ marginBottom: 16 }} data-testid="item-form-error" />}
        <ItemFormFields
          creating={item === null}
          fonds={fonds}
          categories={categories}
          category={category}
          orgCodes={orgCodes.data ?? []}
          volumes={volumes.data ?? []}
          classified={meta.data?.classified ?? false}
        />
        <Space style={{ position: 'sticky', bottom: -token.paddingLG, zIndex: 1, width: '100%', background: token.colorBgElevated, borderTop: `1px solid ${token.colorSplit}`, paddingBlock: token.paddingSM }}>
          <Button type="primary" htmlType="submit" loading={create.isPending || update.isPending} data-testid="item-form-save">
            {t('admin.catalog.form.save')}
          </Button>
          <Button onClick={onClose}>{t('admin.catalog.form.cancel')}</Button>
          <Typography.Text type="secondary">{t('admin.catalog.form.enterHint')}</Typography.Text>
        </Space>
      </Form>
    </Drawer>
  );
}
