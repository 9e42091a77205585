import type { ParseKeys } from 'i18next';

/** A key of the interface text, for tables that name their labels (menus, cards). */
export type MessageKey = ParseKeys;
