/**
 * 高级检索: rows of [关系] [检索项] [检索词], joined in order (并且 / 或者 / 不含 the
 * rows before), and a date range of archival dates (YYYY, YYYYMM or YYYYMMDD, as
 * DA/T 46 writes them). Up to ten rows, as the server takes.
 */
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Form, Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { clauseOps, maxClauses, searchFields, type AdvancedClause } from '../../api/search.js';
import { isValidArchivalDate } from '../catalog/archival-date.js';

export interface AdvancedValues {
  clauses: AdvancedClause[];
  dateFrom?: string;
  dateTo?: string;
}

export interface AdvancedFormProps {
  initial: AdvancedValues;
  onSearch: (values: AdvancedValues) => void;
}

const opWidth = 96;
const emptyClause: AdvancedClause = { field: 'title', text: '', op: 'and' };

/** The earliest and latest day a partial date stands for, as comparable YYYYMMDD strings. */
const earliest = (date: string) => date.padEnd(8, '0');
const latest = (date: string) => date.padEnd(8, '9');

export function AdvancedForm({ initial, onSearch }: AdvancedFormProps) {
  const { t } = useTranslation('search');
  const [form] = Form.useForm<AdvancedValues>();
  const initialValues: AdvancedValues = { ...initial, clauses: initial.clauses.length > 0 ? initial.clauses : [emptyClause] };

  const dateRule = { validator: async (_: unknown, value: unknown) => { if (typeof value === 'string' && value.trim() !== '' && !isValidArchivalDate(value.trim())) throw new Error(t('advanced.dateRule')); } };

  const submit = (values: AdvancedValues) =>
    onSearch({
      clauses: (values.clauses ?? [])
        .map((c, index) => ({ field: c.field ?? 'any', text: c.text?.trim() ?? '', op: index === 0 ? 'and' : (c.op ?? 'and') }))
        .filter((c) => c.text !== ''),
      dateFrom: values.dateFrom?.trim() || undefined,
      dateTo: values.dateTo?.trim() || undefined,
    });

  return (
    <Form form={form} layout="vertical" initialValues={initialValues} onFinish={submit} data-testid="advanced-form">
      <Form.List name="clauses">
        {(rows, { add, remove }) => (
          <Flex vertical gap={8} style={{ marginBottom: 16 }}>
            {rows.map((row, index) => (
              <Flex key={row.key} gap={8} align="flex-start" data-testid={`advanced-row-${index}`}>
                <Flex wrap gap={8} style={{ flex: 1, minWidth: 0 }}>
                  {index === 0 ? (
                    // The first row joins nothing before it; the space keeps the rows' fields in line.
                    <span aria-hidden style={{ width: opWidth }} />
                  ) : (
                    <Form.Item name={[row.name, 'op']} noStyle>
                      <Select aria-label={t('advanced.op')} style={{ width: opWidth }} options={clauseOps.map((op) => ({ value: op, label: t(`ops.${op}`) }))} data-testid={`advanced-op-${index}`} />
                    </Form.Item>
                  )}
                  <Form.Item name={[row.name, 'field']} noStyle>
                    <Select aria-label={t('advanced.field')} style={{ width: 128 }} options={searchFields.map((field) => ({ value: field, label: t(`fields.${field}`) }))} data-testid={`advanced-field-${index}`} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'text']} noStyle>
                    <Input aria-label={t('advanced.text')} placeholder={t('advanced.text')} style={{ flex: '1 1 160px', minWidth: 0 }} data-testid={`advanced-text-${index}`} />
                  </Form.Item>
                </Flex>
                <Button type="text" icon={<MinusCircleOutlined />} aria-label={t('advanced.remove')} disabled={rows.length === 1} onClick={() => remove(row.name)} />
              </Flex>
            ))}
            {rows.length < maxClauses && (
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add(emptyClause)} style={{ alignSelf: 'flex-start' }} data-testid="advanced-add">
                {t('advanced.add')}
              </Button>
            )}
          </Flex>
        )}
      </Form.List>
      <Flex wrap gap={8}>
        <Form.Item name="dateFrom" label={t('advanced.dateFrom')} rules={[dateRule]} style={{ flex: '1 1 140px', maxWidth: 220 }}>
          <Input inputMode="numeric" maxLength={8} placeholder={t('advanced.datePlaceholder')} data-testid="advanced-date-from" />
        </Form.Item>
        <Form.Item
          name="dateTo"
          label={t('advanced.dateTo')}
          dependencies={['dateFrom']}
          style={{ flex: '1 1 140px', maxWidth: 220 }}
          rules={[
            dateRule,
            ({ getFieldValue }) => ({
              validator: async (_: unknown, value: unknown) => {
                const from = String(getFieldValue('dateFrom') ?? '').trim();
                const to = typeof value === 'string' ? value.trim() : '';
                if (isValidArchivalDate(from) && isValidArchivalDate(to) && latest(to) < earliest(from)) throw new Error(t('advanced.dateOrder'));
              },
            }),
          ]}
        >
          <Input inputMode="numeric" maxLength={8} placeholder={t('advanced.datePlaceholder')} data-testid="advanced-date-to" />
        </Form.Item>
      </Flex>
      <Space>
        <Button type="primary" htmlType="submit" data-testid="advanced-submit">
          {t('advanced.submit')}
        </Button>
        <Button onClick={() => form.setFieldsValue({ clauses: [emptyClause], dateFrom: undefined, dateTo: undefined })}>{t('advanced.reset')}</Button>
      </Space>
    </Form>
  );
}
