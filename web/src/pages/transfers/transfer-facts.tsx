/** The facts of a hand-over: who hands over what (fonds, category, years), how, and how much. */
import { Descriptions } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCategories, useFonds } from '../../api/catalog.js';
import { carrierTypes, type Transfer } from '../../api/transfers.js';
import { formatBytes } from './format-bytes.js';

const channels = ['web', 'api', 'cli', 'offline'] as const;

export function TransferFacts({ transfer }: { transfer: Transfer }) {
  const { t, i18n } = useTranslation('transfer');
  const { t: tBase } = useTranslation();
  const fonds = useFonds();
  const categories = useCategories();
  const f = fonds.data?.find((candidate) => candidate.id === transfer.fondsId);
  const c = categories.data?.find((candidate) => candidate.id === transfer.categoryId);
  const date = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : '–');
  const channel = (channels as readonly string[]).includes(transfer.channel) ? t(`channels.${transfer.channel as (typeof channels)[number]}`) : transfer.channel;
  const carrier = transfer.carrier;
  const carrierType = carrier && (carrierTypes as readonly string[]).includes(carrier.type) ? t(`carriers.${carrier.type}`) : carrier?.type;

  return (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, md: 2, xl: 3 }}
      data-testid="transfer-facts"
      items={[
        { key: 'agency', label: tBase('admin.catalog.fields.agency'), children: transfer.agencyName },
        { key: 'fonds', label: tBase('admin.catalog.fields.fonds'), children: f ? `${f.code} ${f.name}` : '' },
        { key: 'category', label: tBase('admin.catalog.fields.category'), children: c ? `${c.code} ${c.name}` : '' },
        { key: 'years', label: t('fields.years'), children: transfer.yearFrom === transfer.yearTo ? transfer.yearFrom : `${transfer.yearFrom}–${transfer.yearTo}` },
        { key: 'items', label: t('fields.items'), children: t('list.itemsOf', { items: transfer.items, declared: transfer.declaredItems }) },
        { key: 'files', label: t('fields.files'), children: `${transfer.files} · ${formatBytes(transfer.bytes)}` },
        { key: 'channel', label: t('fields.channel'), children: carrier ? t('detail.carrier', { channel, type: carrierType, label: carrier.label, number: carrier.number }) : channel },
        { key: 'createdAt', label: t('fields.createdAt'), children: date(transfer.createdAt) },
        { key: 'submittedAt', label: t('fields.submittedAt'), children: date(transfer.submittedAt) },
        ...(transfer.opennessOpinion ? [{ key: 'openness', label: t('fields.opennessOpinion'), children: transfer.opennessOpinion, span: 'filled' as const }] : []),
      ]}
    />
  );
}
