/**
 * The fields of an item's description, in the order an archivist reads a document
 * (DA/T 46: 题名, 责任者, 日期, 年度, 保管期限, 密级, …), then the category's own
 * fields. Checked in the form first, in Chinese, and again by the server.
 */
import { Col, Divider, Form, Input, InputNumber, Row, Select, type FormRule as Rule } from 'antd';
import { useTranslation } from 'react-i18next';
import { classifications, combinationTypes, controls, opennessValues, retentions, type Category, type FieldDeclaration, type Fonds, type ItemValues, type OrgCode, type Volume } from '../../api/catalog.js';
import type { CatalogMessages } from '../../i18n/catalog-zh-CN.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { isValidArchivalDate } from './archival-date.js';
import { useValueLabels } from './value-labels.js';

export interface ItemFormValues extends ItemValues {
  fondsId: string;
  categoryId: string;
}

export interface ItemFormFieldsProps {
  creating: boolean;
  fonds: readonly Fonds[];
  categories: readonly Category[];
  category: Category | undefined;
  orgCodes: readonly OrgCode[];
  volumes: readonly Volume[];
  /** A 涉密 installation may hold 秘密 and above; a 非密 one refuses them. */
  classified: boolean;
}

function CategoryField({ field }: { field: FieldDeclaration }) {
  const { t } = useTranslation();
  const label = currentLanguage() === 'en' && field.labelEn ? field.labelEn : field.label;
  const rules: Rule[] = [];
  if (field.required) rules.push({ required: true, message: t('admin.catalog.form.required', { label }) });
  if (field.maxLength !== undefined) rules.push({ max: field.maxLength, message: t('admin.catalog.form.maxLength', { label, max: field.maxLength }) });
  if (field.type === 'date') rules.push({ validator: async (_, value: unknown) => { if (value && !isValidArchivalDate(String(value))) throw new Error(t('admin.catalog.form.dateRule')); } });
  const name = ['extensions', field.key];
  switch (field.type) {
    case 'integer':
      return (
        <Form.Item name={name} label={label} rules={[...rules, { type: 'integer', message: t('admin.catalog.form.integerRule', { label }) }]}>
          <InputNumber precision={0} style={{ width: '100%' }} />
        </Form.Item>
      );
    case 'choice':
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Select allowClear options={(field.choices ?? []).map((c) => ({ value: c, label: c }))} />
        </Form.Item>
      );
    default:
      return (
        <Form.Item name={name} label={label} rules={rules}>
          <Input maxLength={field.maxLength} inputMode={field.type === 'date' ? 'numeric' : undefined} />
        </Form.Item>
      );
  }
}

export function ItemFormFields({ creating, fonds, categories, category, orgCodes, volumes, classified }: ItemFormFieldsProps) {
  const { t } = useTranslation();
  const labels = useValueLabels();
  const form = Form.useFormInstance<ItemFormValues>();
  const classification = Form.useWatch('classification', form);
  // Here rather than a function taking `t`: typing `t` as a parameter makes TypeScript expand every message key (TS2589).
  const label = (key: FieldKey): string => t(`admin.catalog.fields.${key}`);
  const required = (key: FieldKey): Rule => ({ required: true, whitespace: true, message: t('admin.catalog.form.required', { label: label(key) }) });
  const chosen = (key: FieldKey): Rule => ({ required: true, message: t('admin.catalog.form.choose', { label: label(key) }) });
  const text = (key: 'docNumber' | 'docType' | 'urgency' | 'mainRecipients' | 'copyRecipients' | 'subjectTerms' | 'keywords', max: number) => (
    <Col xs={24} md={12} key={key}>
      <Form.Item name={key} label={label(key)}>
        <Input maxLength={max} />
      </Form.Item>
    </Col>
  );

  return (
    <>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name="fondsId" label={label('fonds')} rules={[chosen('fonds')]}>
            <Select disabled={!creating} showSearch={{ optionFilterProp: 'label' }} options={fonds.map((f) => ({ value: f.id, label: `${f.code} ${f.name}` }))} data-testid="item-form-fonds" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="categoryId" label={label('category')} rules={[chosen('category')]}>
            <Select disabled={!creating} options={categories.filter((c) => c.enabled).map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))} data-testid="item-form-category" />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="title" label={label('title')} rules={[required('title'), { max: 500, message: t('admin.catalog.form.maxLength', { label: label('title'), max: 500 }) }]}>
            <Input autoFocus maxLength={500} data-testid="item-form-title" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name="responsible" label={label('responsible')} rules={[required('responsible')]}>
            <Input maxLength={200} data-testid="item-form-responsible" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name="date"
            label={label('date')}
            rules={[
              required('date'),
              { validator: async (_, value: unknown) => { if (value && !isValidArchivalDate(String(value).trim())) throw new Error(t('admin.catalog.form.dateRule')); } },
            ]}
          >
            <Input maxLength={8} inputMode="numeric" placeholder="20230215" data-testid="item-form-date" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item
            name="year"
            label={label('year')}
            dependencies={['date']}
            rules={[
              chosen('year'),
              ({ getFieldValue }) => ({
                validator: async (_, value: unknown) => {
                  if (value === undefined || value === null) return;
                  if (typeof value !== 'number' || value < 1000 || value > 2999) throw new Error(t('admin.catalog.form.yearRule'));
                  const date = String(getFieldValue('date') ?? '');
                  const dateYear = Number(date.slice(0, 4));
                  if (isValidArchivalDate(date) && (dateYear > value + 1 || dateYear < value - 100)) throw new Error(t('admin.catalog.form.yearMismatch', { year: dateYear }));
                },
              }),
            ]}
          >
            <InputNumber precision={0} style={{ width: '100%' }} data-testid="item-form-year" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="retention" label={label('retention')} rules={[chosen('retention')]}>
            <Select options={retentions.map((r) => ({ value: r, label: labels.retention(r) }))} data-testid="item-form-retention" />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="classification" label={label('classification')} rules={[chosen('classification')]}>
            <Select options={classifications.map((c) => ({ value: c, label: labels.classification(c), disabled: !classified && c !== '非密' }))} />
          </Form.Item>
        </Col>
        {classification !== undefined && classification !== '非密' && (
          <Col xs={12} md={6}>
            <Form.Item name="secrecyTerm" label={label('secrecyTerm')} rules={[chosen('secrecyTerm'), { pattern: /^(\d{1,2}年|长期)$/, message: t('admin.catalog.form.secrecyTermRule') }]}>
              <Input maxLength={6} placeholder="10年" />
            </Form.Item>
          </Col>
        )}
        <Col xs={12} md={6}>
          <Form.Item name="control" label={label('control')}>
            <Select allowClear placeholder={t('admin.catalog.form.controlNone')} options={controls.map((c) => ({ value: c, label: labels.control(c) }))} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="openness" label={label('openness')} rules={[chosen('openness')]}>
            <Select options={opennessValues.map((o) => ({ value: o, label: labels.openness(o) }))} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="orgCode" label={label('orgCode')}>
            <Select allowClear placeholder={t('admin.catalog.form.orgCodePlaceholder')} options={orgCodes.map((o) => ({ value: o.code, label: `${o.code} ${o.name}` }))} />
          </Form.Item>
        </Col>
        <Col xs={12} md={6}>
          <Form.Item name="pageCount" label={label('pageCount')}>
            <InputNumber min={0} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        {category?.arrangement === 'volume' && (
          <Col xs={24} md={12}>
            <Form.Item name="volumeId" label={label('volume')}>
              <Select allowClear placeholder={t('admin.catalog.form.volumePlaceholder')} options={volumes.map((v) => ({ value: v.id, label: `${v.archivalCode ?? ''} ${v.title}`.trim() }))} />
            </Form.Item>
          </Col>
        )}
      </Row>
      {category && category.fields.length > 0 && (
        <>
          <Divider titlePlacement="start">{t('admin.catalog.form.categoryFields')}</Divider>
          <Row gutter={16}>
            {category.fields.map((field) => (
              <Col xs={24} md={12} key={field.key}>
                <CategoryField field={field} />
              </Col>
            ))}
          </Row>
        </>
      )}
      <Divider titlePlacement="start">{t('admin.catalog.form.more')}</Divider>
      <Row gutter={16}>
        {text('docNumber', 100)}
        {text('docType', 40)}
        <Col xs={24} md={12}>
          <Form.Item name="combinationType" label={label('combinationType')}>
            <Select options={combinationTypes.map((c) => ({ value: c, label: labels.combination(c) }))} />
          </Form.Item>
        </Col>
        {text('urgency', 20)}
        {text('mainRecipients', 500)}
        {text('copyRecipients', 500)}
        {text('subjectTerms', 500)}
        {text('keywords', 500)}
        <Col span={24}>
          <Form.Item name="abstract" label={label('abstract')}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={4000} />
          </Form.Item>
        </Col>
        <Col span={24}>
          <Form.Item name="remarks" label={label('remarks')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}

type FieldKey = keyof CatalogMessages['fields'];
