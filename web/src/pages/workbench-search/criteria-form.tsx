/**
 * The archivist's search form: 题名, 责任者, 文件编号, 全文 and 档号 (a code or its
 * beginning), each a clause joined with AND, and a range of archival dates. The
 * form reads back the clauses of the URL, so a shared link fills it in again.
 */
import { Button, Col, Form, Input, Row, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AdvancedClause, SearchField, SearchRequest } from '../../api/search.js';
import { isValidArchivalDate } from '../catalog/archival-date.js';

const formFields = ['title', 'responsible', 'docNumber', 'fulltext', 'code'] as const satisfies readonly SearchField[];
type FormField = (typeof formFields)[number];

export type CriteriaValues = Partial<Record<FormField | 'dateFrom' | 'dateTo', string>>;

export interface Criteria {
  adv: AdvancedClause[];
  dateFrom?: string;
  dateTo?: string;
}

/** The form's values for a search: the first AND clause of each field, and the dates. */
function valuesOf(request: SearchRequest): CriteriaValues {
  const values: CriteriaValues = { dateFrom: request.dateFrom, dateTo: request.dateTo };
  for (const field of formFields) values[field] = request.adv.find((c) => c.field === field && c.op === 'and')?.text;
  return values;
}

function criteriaOf(values: CriteriaValues): Criteria {
  const adv = formFields.flatMap((field) => {
    const text = values[field]?.trim() ?? '';
    return text === '' ? [] : [{ field, text, op: 'and' as const }];
  });
  return { adv, dateFrom: values.dateFrom?.trim() || undefined, dateTo: values.dateTo?.trim() || undefined };
}

export interface CriteriaFormProps {
  request: SearchRequest;
  onSearch: (criteria: Criteria) => void;
  onReset: () => void;
}

export function CriteriaForm({ request, onSearch, onReset }: CriteriaFormProps) {
  const { t } = useTranslation('search');
  const [form] = Form.useForm<CriteriaValues>();
  const dateRule = { validator: async (_: unknown, value: unknown) => { if (typeof value === 'string' && value.trim() !== '' && !isValidArchivalDate(value.trim())) throw new Error(t('advanced.dateRule')); } };
  const text = (field: FormField, placeholder?: string) => (
    <Col xs={24} sm={12} lg={8} xxl={6}>
      <Form.Item name={field} label={t(`workbench.${field}`)}>
        <Input allowClear placeholder={placeholder} data-testid={`criteria-${field}`} />
      </Form.Item>
    </Col>
  );

  return (
    <Form form={form} layout="vertical" initialValues={valuesOf(request)} onFinish={(values) => onSearch(criteriaOf(values))} data-testid="criteria-form">
      <Row gutter={16}>
        {text('code', t('workbench.codePlaceholder'))}
        {text('title')}
        {text('responsible')}
        {text('docNumber')}
        {text('fulltext')}
        <Col xs={24} sm={12} lg={8} xxl={6}>
          <Row gutter={8}>
            <Col span={12}>
              <Form.Item name="dateFrom" label={t('workbench.dateFrom')} rules={[dateRule]}>
                <Input inputMode="numeric" maxLength={8} placeholder={t('workbench.datePlaceholder')} data-testid="criteria-date-from" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="dateTo" label={t('workbench.dateTo')} rules={[dateRule]}>
                <Input inputMode="numeric" maxLength={8} placeholder={t('workbench.datePlaceholder')} data-testid="criteria-date-to" />
              </Form.Item>
            </Col>
          </Row>
        </Col>
      </Row>
      <Space>
        <Button type="primary" htmlType="submit" data-testid="criteria-submit">
          {t('workbench.search')}
        </Button>
        <Button
          onClick={() => {
            form.resetFields();
            onReset();
          }}
        >
          {t('workbench.reset')}
        </Button>
      </Space>
    </Form>
  );
}
