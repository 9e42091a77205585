/**
 * The facet filters of the workbench search, as one multiple Select per facet in a
 * row above the table (the table needs the width a sidebar would take). Options
 * carry their counts, "≈" before them when the server estimated.
 */
import { Flex, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FacetName, SearchRequest, SearchResult } from '../../api/search.js';
import { formatCount, useFacetBuckets } from '../search/facet-panel.js';

export interface FacetSelectsProps {
  facets: SearchResult['facets'] | undefined;
  approximate: boolean;
  selected: SearchRequest['filters'];
  onChange: (name: FacetName, values: string[]) => void;
}

export function FacetSelects({ facets, approximate, selected, onChange }: FacetSelectsProps) {
  const { t, i18n } = useTranslation('search');
  const { bucketsOf, shown } = useFacetBuckets(facets, selected);
  return (
    <Flex wrap gap={8} data-testid="facet-selects">
      {shown.map((name) => (
        <Select<string[]>
          key={name}
          mode="multiple"
          allowClear
          maxTagCount="responsive"
          placeholder={t(`facets.${name}`)}
          aria-label={t(`facets.${name}`)}
          value={selected[name] ?? []}
          onChange={(values) => onChange(name, values)}
          options={bucketsOf(name).map((bucket) => ({ value: bucket.value, label: bucket.label, count: bucket.count }))}
          optionRender={(option) => (
            <>
              {option.label} <Typography.Text type="secondary">({formatCount(option.data.count, approximate, i18n.language)})</Typography.Text>
            </>
          )}
          optionFilterProp="label"
          popupMatchSelectWidth={false}
          style={{ width: 160 }}
          data-testid={`facet-select-${name}`}
        />
      ))}
    </Flex>
  );
}
