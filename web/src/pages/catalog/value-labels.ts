/**
 * The words the interface shows for the catalog's stored values. Values are the
 * standard's own (Y, D30, 开放, 内部, 非密…); in Chinese they read as themselves, in
 * English they are translated.
 */
import { useTranslation } from 'react-i18next';
import { retentions, type Retention } from '../../api/catalog.js';

const opennessKeys = { 开放: 'open', 控制: 'controlled', 待定: 'pending' } as const;
const controlKeys = { 内部: 'internal', 限制: 'restricted' } as const;
const classificationKeys = { 非密: 'none', 秘密: 'secret', 机密: 'confidential', 绝密: 'topSecret' } as const;
const combinationKeys = { 单件: 'single', 组合文件: 'combined' } as const;

function keyOf<K extends string, V>(table: Record<K, V>, value: string): V | undefined {
  return Object.hasOwn(table, value) ? table[value as K] : undefined;
}

export function useValueLabels() {
  const { t } = useTranslation();
  const retention = (value: string | null | undefined): string => {
    if (!value) return '';
    return (retentions as readonly string[]).includes(value) ? t(`admin.catalog.values.retention.${value as Retention}`) : value;
  };
  const openness = (value: string | null | undefined): string => {
    const key = value ? keyOf(opennessKeys, value) : undefined;
    return key ? t(`admin.catalog.values.openness.${key}`) : (value ?? '');
  };
  const control = (value: string | null | undefined): string => {
    const key = value ? keyOf(controlKeys, value) : undefined;
    return key ? t(`admin.catalog.values.control.${key}`) : (value ?? '');
  };
  const classification = (value: string | null | undefined): string => {
    const key = value ? keyOf(classificationKeys, value) : undefined;
    return key ? t(`admin.catalog.values.classification.${key}`) : (value ?? '');
  };
  const combination = (value: string | null | undefined): string => {
    const key = value ? keyOf(combinationKeys, value) : undefined;
    return key ? t(`admin.catalog.values.combination.${key}`) : (value ?? '');
  };
  /** A value of a batch-change kind; null is "none". */
  const ofKind = (kind: 'retention' | 'openness' | 'control' | 'volume', value: string | null): string => {
    if (value === null) return t('admin.catalog.detail.none');
    if (kind === 'retention') return retention(value);
    if (kind === 'openness') return openness(value);
    if (kind === 'control') return control(value);
    return value;
  };
  return { retention, openness, control, classification, combination, ofKind };
}

export type ValueLabels = ReturnType<typeof useValueLabels>;
