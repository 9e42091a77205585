/**
 * The fonds → category → year tree of the catalog, with the number of items the
 * viewer may see under each node. Every fonds is listed, even an empty one, so a
 * new fonds can be chosen before anything is imported into it.
 */
import { Tree, Typography, type TreeDataNode } from 'antd';
import { useEffect, useMemo, useState, type Key } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category, Fonds, TreeEntry } from '../../api/catalog.js';

/** Where in the tree the table is: nothing chosen means every visible item. */
export interface Scope {
  fondsId?: string;
  categoryId?: string;
  year?: number;
}

function keyOf(scope: Scope): string {
  if (scope.fondsId === undefined) return 'all';
  if (scope.categoryId === undefined) return `f|${scope.fondsId}`;
  if (scope.year === undefined) return `c|${scope.fondsId}|${scope.categoryId}`;
  return `y|${scope.fondsId}|${scope.categoryId}|${scope.year}`;
}

function scopeOf(key: string): Scope {
  const [kind, fondsId, categoryId, year] = key.split('|');
  if (kind === 'f') return { fondsId };
  if (kind === 'c') return { fondsId, categoryId };
  if (kind === 'y') return { fondsId, categoryId, year: Number(year) };
  return {};
}

/** "J001 文书 · 2023" for a scope, as the dialogs name what they act on. */
export function scopeLabel(scope: Scope, fonds: readonly Fonds[], categories: readonly Category[]): string {
  const f = fonds.find((x) => x.id === scope.fondsId);
  const c = categories.find((x) => x.id === scope.categoryId);
  return [f ? `${f.code} ${f.name}` : null, c ? `${c.code} ${c.name}` : null, scope.year ?? null].filter((x) => x !== null).join(' · ');
}

export interface CatalogTreeProps {
  fonds: readonly Fonds[];
  categories: readonly Category[];
  entries: readonly TreeEntry[];
  scope: Scope;
  onSelect: (scope: Scope) => void;
}

/** The keys of the nodes above a scope's node, which must be open for it to show. */
function ancestorsOf(scope: Scope): string[] {
  const keys = ['all'];
  if (scope.fondsId !== undefined && scope.categoryId !== undefined) keys.push(keyOf({ fondsId: scope.fondsId }));
  if (scope.year !== undefined) keys.push(keyOf({ fondsId: scope.fondsId, categoryId: scope.categoryId }));
  return keys;
}

export function CatalogTree({ fonds, categories, entries, scope, onSelect }: CatalogTreeProps) {
  const { t } = useTranslation();
  const [expanded, setExpanded] = useState<Key[]>(['all']);
  const { fondsId, categoryId, year } = scope;
  // A scope chosen elsewhere (after an import, say) opens the branch that shows it.
  useEffect(() => {
    const needed = ancestorsOf({ fondsId, categoryId, year });
    setExpanded((current) => (needed.every((key) => current.includes(key)) ? current : [...new Set([...current, ...needed])]));
  }, [fondsId, categoryId, year]);
  const treeData = useMemo<TreeDataNode[]>(() => {
    const title = (text: string, count: number) => (
      <span>
        {text} <Typography.Text type="secondary">({count})</Typography.Text>
      </span>
    );
    const total = entries.reduce((sum, e) => sum + e.count, 0);
    const byCode = [...categories].sort((a, b) => a.code.localeCompare(b.code));
    const fondsNodes = fonds.map((f): TreeDataNode => {
      const ofFonds = entries.filter((e) => e.fondsId === f.id);
      const categoryNodes = byCode
        .filter((c) => ofFonds.some((e) => e.categoryId === c.id))
        .map((c): TreeDataNode => {
          const ofCategory = ofFonds.filter((e) => e.categoryId === c.id).sort((a, b) => b.year - a.year);
          return {
            key: keyOf({ fondsId: f.id, categoryId: c.id }),
            title: title(`${c.code} ${c.name}`, ofCategory.reduce((sum, e) => sum + e.count, 0)),
            children: ofCategory.map((e) => ({ key: keyOf({ fondsId: f.id, categoryId: c.id, year: e.year }), title: title(String(e.year), e.count), isLeaf: true })),
          };
        });
      return { key: keyOf({ fondsId: f.id }), title: title(`${f.code} ${f.name}`, ofFonds.reduce((sum, e) => sum + e.count, 0)), children: categoryNodes };
    });
    return [{ key: 'all', title: title(t('admin.catalog.tree.all'), total), children: fondsNodes }];
  }, [fonds, categories, entries, t]);

  return (
    <>
      <Tree
        data-testid="catalog-tree"
        blockNode
        showLine
        expandedKeys={expanded}
        onExpand={setExpanded}
        selectedKeys={[keyOf(scope)]}
        treeData={treeData}
        onSelect={(keys) => {
          const key = keys[0];
          if (key !== undefined) onSelect(scopeOf(String(key)));
        }}
      />
      {fonds.length === 0 && <Typography.Paragraph type="secondary">{t('admin.catalog.tree.noFonds')}</Typography.Paragraph>}
    </>
  );
}
