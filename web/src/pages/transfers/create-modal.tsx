/**
 * 新建移交: a clerk opens a draft for one fonds of its own agency and one category,
 * with the years it covers and how many items it declares. An archivist uses the
 * same form to register an offline hand-over (登记离线移交): the agency and the
 * carrier (光盘, 硬盘, …) the records came on.
 */
import { App, Col, Form, Input, InputNumber, Modal, Row, Select, type SelectProps } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAgencies, useCategories, useFonds } from '../../api/catalog.js';
import { carrierTypes, useCreateTransfer, type Carrier } from '../../api/transfers.js';
import { QueryError } from '../../components/query-error.js';

interface CreateValues {
  agencyId?: string;
  fondsId: string;
  categoryId: string;
  title: string;
  yearFrom: number;
  yearTo: number;
  declaredItems: number;
  opennessOpinion?: string;
  carrier?: Carrier;
}

export interface CreateTransferModalProps {
  /** Offline registration by an archivist (agency and carrier asked for). */
  offline: boolean;
  /** The clerk's own agency; fonds of other agencies are not offered. */
  organisationId: string | null;
  onClose: () => void;
  onCreated: (id: string) => void;
}

/** The agencies, asked for only when an archivist registers an offline hand-over (clerks may not list them). */
function AgencySelect(props: SelectProps) {
  const agencies = useAgencies();
  return <Select {...props} showSearch={{ optionFilterProp: 'label' }} loading={agencies.isPending} options={(agencies.data ?? []).map((a) => ({ value: a.id, label: a.name }))} />;
}

export function CreateTransferModal({ offline, organisationId, onClose, onCreated }: CreateTransferModalProps) {
  const { t } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateValues>();
  const fonds = useFonds();
  const categories = useCategories();
  const create = useCreateTransfer();
  const chosenAgency = Form.useWatch('agencyId', form);
  const agencyId = offline ? chosenAgency : organisationId;
  const ownFonds = (fonds.data ?? []).filter((f) => f.agencyId === agencyId);
  const year = new Date().getFullYear() - 1;
  const onlyFonds = ownFonds.length === 1 ? ownFonds[0]?.id : undefined;

  // The usual agency has one fonds: choose it once it is known.
  useEffect(() => {
    if (onlyFonds && !form.getFieldValue('fondsId')) form.setFieldValue('fondsId', onlyFonds);
  }, [form, onlyFonds]);
  const label = (key: 'fonds' | 'category' | 'agency') => tBase(`admin.catalog.fields.${key}`);
  const required = (text: string) => ({ required: true, message: t('form.required', { label: text }) });

  const submit = (values: CreateValues) => {
    create.mutate(
      { ...values, opennessOpinion: values.opennessOpinion?.trim() || null, ...(offline ? {} : { agencyId: undefined, carrier: undefined }) },
      {
        onSuccess: ({ id }) => {
          void message.success(t('create.created'));
          onCreated(id);
        },
      },
    );
  };

  return (
    <Modal
      open
      width={720}
      title={offline ? t('create.offlineTitle') : t('create.title')}
      okText={t('create.submit')}
      cancelText={t('form.cancel')}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'transfer-create-submit' }}
      onCancel={onClose}
      destroyOnHidden
      maskClosable={false}
    >
      {(fonds.error ?? categories.error ?? create.error) && <QueryError error={(fonds.error ?? categories.error ?? create.error) as Error} />}
      <Form<CreateValues>
        form={form}
        layout="vertical"
        initialValues={{ yearFrom: year, yearTo: year, declaredItems: 1 }}
        onFinish={submit}
        data-testid="transfer-create-form"
      >
        <Row gutter={16}>
          {offline && (
            <Col span={24}>
              <Form.Item name="agencyId" label={label('agency')} rules={[required(label('agency'))]}>
                <AgencySelect onChange={() => form.setFieldValue('fondsId', undefined)} data-testid="transfer-create-agency" />
              </Form.Item>
            </Col>
          )}
          <Col xs={24} md={12}>
            <Form.Item name="fondsId" label={label('fonds')} rules={[required(label('fonds'))]} extra={agencyId && ownFonds.length === 0 && !fonds.isPending ? t('create.noFonds') : undefined}>
              <Select showSearch={{ optionFilterProp: 'label' }} loading={fonds.isPending} options={ownFonds.map((f) => ({ value: f.id, label: `${f.code} ${f.name}` }))} data-testid="transfer-create-fonds" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="categoryId" label={label('category')} rules={[required(label('category'))]}>
              <Select
                loading={categories.isPending}
                options={(categories.data ?? []).filter((c) => c.enabled).map((c) => ({ value: c.id, label: `${c.code} ${c.name}` }))}
                data-testid="transfer-create-category"
              />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="title" label={t('fields.title')} rules={[{ ...required(t('fields.title')), whitespace: true }]}>
              <Input maxLength={200} placeholder={t('create.titlePlaceholder')} data-testid="transfer-create-title" />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="yearFrom" label={t('fields.yearFrom')} rules={[required(t('fields.yearFrom'))]}>
              <InputNumber min={1000} max={2999} precision={0} style={{ width: '100%' }} data-testid="transfer-create-year-from" />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item
              name="yearTo"
              label={t('fields.yearTo')}
              dependencies={['yearFrom']}
              rules={[
                required(t('fields.yearTo')),
                ({ getFieldValue }) => ({
                  validator: async (_, value: unknown) => {
                    const from: unknown = getFieldValue('yearFrom');
                    if (typeof value === 'number' && typeof from === 'number' && value < from) throw new Error(t('create.yearOrder'));
                  },
                }),
              ]}
            >
              <InputNumber min={1000} max={2999} precision={0} style={{ width: '100%' }} data-testid="transfer-create-year-to" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="declaredItems" label={t('fields.declaredItems')} rules={[required(t('fields.declaredItems'))]}>
              <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} data-testid="transfer-create-declared" />
            </Form.Item>
          </Col>
          {offline && (
            <>
              <Col xs={24} md={8}>
                <Form.Item name={['carrier', 'type']} label={t('fields.carrierType')} rules={[required(t('fields.carrierType'))]}>
                  <Select options={carrierTypes.map((c) => ({ value: c, label: t(`carriers.${c}`) }))} data-testid="transfer-create-carrier-type" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item name={['carrier', 'label']} label={t('fields.carrierLabel')} rules={[{ ...required(t('fields.carrierLabel')), whitespace: true }]}>
                  <Input maxLength={100} data-testid="transfer-create-carrier-label" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item name={['carrier', 'number']} label={t('fields.carrierNumber')} rules={[{ ...required(t('fields.carrierNumber')), whitespace: true }]}>
                  <Input maxLength={60} data-testid="transfer-create-carrier-number" />
                </Form.Item>
              </Col>
            </>
          )}
          <Col span={24}>
            <Form.Item name="opennessOpinion" label={t('fields.opennessOpinion')} extra={t('create.opennessHint')}>
              <Input.TextArea maxLength={500} autoSize={{ minRows: 2, maxRows: 4 }} data-testid="transfer-create-openness" />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
