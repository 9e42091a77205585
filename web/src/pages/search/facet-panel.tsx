/**
 * 分面筛选: one group of checkboxes per facet the server counted (全宗, 门类, 年度,
 * 保管期限, 开放状态, 立档单位, 文件格式), each value with its count, "≈" before the
 * counts when the server only estimated them. Values ticked stay listed even when
 * the current result no longer counts them, so they can be unticked.
 */
import { Button, Checkbox, Collapse, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { facetNames, type FacetBucket, type FacetName, type SearchRequest, type SearchResult } from '../../api/search.js';
import { useValueLabels } from '../catalog/value-labels.js';

/** Values shown before "更多". */
const shortList = 8;

export interface FacetPanelProps {
  facets: SearchResult['facets'] | undefined;
  approximate: boolean;
  selected: SearchRequest['filters'];
  onChange: (name: FacetName, values: string[]) => void;
  onClear: () => void;
}

export function formatCount(count: number, approximate: boolean, locale: string): string {
  const n = count.toLocaleString(locale);
  return approximate ? `≈ ${n}` : n;
}

/**
 * The buckets of each facet to offer, with the values already chosen kept in, and
 * their labels in the reader's language (openness and retention are stored values).
 */
export function useFacetBuckets(facets: SearchResult['facets'] | undefined, selected: SearchRequest['filters']) {
  const labels = useValueLabels();
  const labelOf = (name: FacetName, bucket: FacetBucket): string => {
    if (name === 'openness') return labels.openness(bucket.value) || bucket.label;
    if (name === 'retention') return labels.retention(bucket.value) || bucket.label;
    return bucket.label;
  };
  const bucketsOf = (name: FacetName): FacetBucket[] => {
    const counted = facets?.[name] ?? [];
    const missing = (selected[name] ?? []).filter((value) => !counted.some((b) => b.value === value));
    return [...counted, ...missing.map((value) => ({ value, label: value, count: 0 }))].map((bucket) => ({ ...bucket, label: labelOf(name, bucket) }));
  };
  return { bucketsOf, shown: facetNames.filter((name) => bucketsOf(name).length > 0) };
}

export function FacetPanel({ facets, approximate, selected, onChange, onClear }: FacetPanelProps) {
  const { t, i18n } = useTranslation('search');
  const [expanded, setExpanded] = useState<FacetName[]>([]);
  // Folded by the reader; every other facet is open, including one that appears with a later answer.
  const [folded, setFolded] = useState<FacetName[]>([]);
  const anySelected = facetNames.some((name) => (selected[name]?.length ?? 0) > 0);
  const { bucketsOf, shown } = useFacetBuckets(facets, selected);
  if (shown.length === 0) return null;

  return (
    <div data-testid="facet-panel">
      <Collapse
        ghost
        size="small"
        activeKey={shown.filter((name) => !folded.includes(name))}
        onChange={(keys) => setFolded(shown.filter((name) => !keys.includes(name)))}
        items={shown.map((name) => {
          const buckets = bucketsOf(name);
          const long = buckets.length > shortList;
          const open = expanded.includes(name);
          const visible = long && !open ? buckets.slice(0, shortList) : buckets;
          return {
            key: name,
            label: <Typography.Text strong>{t(`facets.${name}`)}</Typography.Text>,
            children: (
              <div data-testid={`facet-${name}`}>
                <Checkbox.Group
                  value={selected[name] ?? []}
                  onChange={(values) => onChange(name, values)}
                  style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
                  options={visible.map((bucket) => ({
                    value: bucket.value,
                    label: (
                      <span data-testid="facet-option" data-value={bucket.value}>
                        {bucket.label} <Typography.Text type="secondary">({formatCount(bucket.count, approximate, i18n.language)})</Typography.Text>
                      </span>
                    ),
                  }))}
                />
                {long && (
                  <Button type="link" size="small" style={{ paddingInline: 0 }} onClick={() => setExpanded(open ? expanded.filter((n) => n !== name) : [...expanded, name])}>
                    {open ? t('facets.less') : t('facets.more')}
                  </Button>
                )}
              </div>
            ),
          };
        })}
      />
      {anySelected && (
        <Button type="link" onClick={onClear} data-testid="facet-clear">
          {t('facets.clear')}
        </Button>
      )}
    </div>
  );
}
