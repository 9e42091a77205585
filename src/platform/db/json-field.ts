/**
 * One value out of a JSON column, as SQL, on either database: SQLite's json_extract
 * on text, PostgreSQL's ->> on jsonb (cast for numbers). Used by set-based copies
 * such as `insert into … select` from a staging table.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Capabilities } from './database.js';

export type JsonFieldType = 'text' | 'integer' | 'timestamp' | 'json';

export function jsonField(caps: Capabilities, column: string, key: string, type: JsonFieldType = 'text'): RawBuilder<unknown> {
  if (caps.jsonType === 'jsonb') {
    const value = sql`(${sql.ref(column)}->>${sql.lit(key)})`;
    // ->> gives text; the target column's type must be named for insert … select.
    const target = { text: null, integer: 'integer', timestamp: caps.timestampType, json: caps.jsonType }[type];
    return target ? sql`cast(${value} as ${sql.raw(target)})` : value;
  }
  return sql`json_extract(${sql.ref(column)}, ${sql.lit(`$.${key}`)})`;
}
