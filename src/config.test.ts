import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('uses laptop defaults: SQLite in ./data, a primary folder store, port 3000, the LAN zone', () => {
    const config = loadConfig({}, '/srv/lantai');
    expect(config.database).toEqual({ kind: 'sqlite', file: '/srv/lantai/data/lantai.db', url: 'sqlite:./data/lantai.db' });
    expect(config.stores).toEqual([{ name: 'primary', kind: 'folder', root: '/srv/lantai/data/blobs' }]);
    expect(config).toMatchObject({ port: 3000, zone: 'lan', classified: false, demo: false, require2fa: true });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.stores[0])).toBe(true);
  });

  it('reads PostgreSQL, several stores and S3 settings', () => {
    const config = loadConfig({
      LANTAI_DATABASE_URL: 'postgres://lantai:pw@db.internal:5432/lantai',
      LANTAI_STORES: 'primary=/mnt/a, replica1=s3://archive-replica/lantai/blobs',
      LANTAI_S3_ENDPOINT: 'http://minio:9000',
      LANTAI_ZONE: 'gov',
      LANTAI_DEMO: '1',
    }, '/');
    expect(config.database.kind).toBe('postgres');
    expect(config.stores[1]).toEqual({ name: 'replica1', kind: 's3', bucket: 'archive-replica', prefix: 'lantai/blobs' });
    expect(config.s3.endpoint).toBe('http://minio:9000');
    expect(config.zone).toBe('gov');
    expect(config.require2fa).toBe(false);
  });

  it.each([
    ['LANTAI_PORT', 'eighty', '0 到 65535'],
    ['LANTAI_ZONE', 'dmz', 'lan、gov、internet'],
    ['LANTAI_DATABASE_URL', 'mysql://x', 'sqlite:'],
    ['LANTAI_STORES', 'replica=/x', 'primary'],
    ['LANTAI_STORES', 'primary=/a,primary=/b', '重复'],
    ['LANTAI_DEMO', 'maybe', '1 或 0'],
    ['LANTAI_BASE_URL', 'archive', '完整网址'],
    ['LANTAI_FIXITY_CRON', 'nightly', 'cron'],
  ])('names %s and says how to fix the value %s', (variable, value, hint) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(variable);
    expect(e.zh).toContain(hint);
    expect(e.en.length).toBeGreaterThan(10);
  });

  it('schedules fixity audits per store: one cron for all, or tiers by store name', () => {
    const stores = 'primary=./data/blobs,replica1=/mnt/disk2,cold=s3://archive/lantai';
    expect(loadConfig({ LANTAI_STORES: stores }).fixityCron).toEqual({ primary: '0 1 * * *', replica1: '0 1 * * *', cold: '0 1 * * *' });
    expect(loadConfig({ LANTAI_STORES: stores, LANTAI_FIXITY_CRON: 'primary=0 2 * * *; cold=0 3 * * 0' }).fixityCron).toEqual({ primary: '0 2 * * *', replica1: '0 2 * * *', cold: '0 3 * * 0' });
    expect(() => loadConfig({ LANTAI_STORES: stores, LANTAI_FIXITY_CRON: 'warm=0 2 * * *' })).toThrow(/“warm”不是 LANTAI_STORES 中的存储库/);
    expect(() => loadConfig({ LANTAI_STORES: stores, LANTAI_FIXITY_CRON: 'cold=weekly' })).toThrow(/cron/);
    expect(loadConfig({ LANTAI_FIXITY_ALGORITHMS: 'sm3' }).fixityAlgorithms).toEqual(['sm3']);
    expect(() => loadConfig({ LANTAI_FIXITY_ALGORITHMS: 'md5' })).toThrow(/LANTAI_FIXITY_ALGORITHMS/);
  });

  it('refuses a classified installation outside the isolated LAN', () => {
    expect(() => loadConfig({ LANTAI_CLASSIFIED: '1', LANTAI_ZONE: 'internet' })).toThrow(/LANTAI_CLASSIFIED/);
  });
});
