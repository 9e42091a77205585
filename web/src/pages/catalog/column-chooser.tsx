/** The catalog table's columns as each archivist chose them, kept on the server (preference `catalog.columns`). */
import { SettingOutlined } from '@ant-design/icons';
import { Button, Checkbox, Popover } from 'antd';
import { useTranslation } from 'react-i18next';
import { usePreference, useSavePreference } from '../../api/catalog.js';
import { defaultColumns, optionalColumns, type OptionalColumn } from './items-table.js';

const preferenceKey = 'catalog.columns';

function isColumn(value: unknown): value is OptionalColumn {
  return optionalColumns.some((column) => column === value);
}

/** The chosen columns (the defaults until the archivist changes them) and how to change them. */
export function useChosenColumns(): [readonly OptionalColumn[], (columns: OptionalColumn[]) => void] {
  const preference = usePreference(preferenceKey);
  const save = useSavePreference(preferenceKey);
  const stored = preference.data?.value;
  const chosen = Array.isArray(stored) ? stored.filter(isColumn) : defaultColumns;
  return [chosen, (columns) => save.mutate(optionalColumns.filter((c) => columns.includes(c)))];
}

export function ColumnChooser({ value, onChange }: { value: readonly OptionalColumn[]; onChange: (columns: OptionalColumn[]) => void }) {
  const { t } = useTranslation();
  const content = (
    <Checkbox.Group
      data-testid="catalog-columns-choice"
      style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(8em, auto))', gap: 4 }}
      value={[...value]}
      onChange={(checked) => onChange(checked.filter(isColumn))}
      options={optionalColumns.map((column) => ({ value: column, label: t(`admin.catalog.fields.${column}`) }))}
    />
  );
  return (
    <Popover trigger="click" placement="bottomRight" title={t('admin.catalog.toolbar.columns')} content={content}>
      <Button icon={<SettingOutlined />} data-testid="catalog-columns">
        {t('admin.catalog.toolbar.columns')}
      </Button>
    </Popover>
  );
}
