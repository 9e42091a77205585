/**
 * The names search shows for fonds, categories and agencies, kept for a few seconds
 * (labels.ts): on a real database of each kind, a kept list answers without reading, an id
 * it lacks is read once the list is LABELS_RETRY_MS old (an id naming nothing costs a read a
 * second, not one every search), and a rename shows once the names are LABELS_KEPT_MS old.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { organisations } from '../accounts/organisations.js';
import { createLabels, LABELS_KEPT_MS, LABELS_RETRY_MS, type LabelSources } from './labels.js';

describe.each(['sqlite', 'postgres'] as const)('search labels (%s)', (dialect) => {
  let t: TestApp;
  const at = '2026-01-01T00:00:00.000Z';
  beforeAll(async () => {
    t = await createTestApp(dialect);
  }, 120_000);
  afterAll(async () => t?.close());
  afterEach(() => vi.useRealTimers());

  const addAgency = (id: string, name: string) => t.app.database.db.insertInto('organisations').values({ id, kind: 'agency', code: id, name, parent_id: null, disabled: 0, created_at: at }).execute();
  const addFonds = (id: string, name: string, agencyId: string) => t.app.database.db.insertInto('fonds').values({ id, code: id, name, agency_id: agencyId, history: null, created_at: at, updated_at: at }).execute();

  it('answers from kept lists, reads again within a second an id they lack, and shows a rename after LABELS_KEPT_MS', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const db = t.app.database.db;
    const { catalog } = t.app.services;
    let reads = 0;
    // The real catalog, its list reads counted.
    const counted: LabelSources = {
      listFonds: (ex) => {
        reads++;
        return catalog.listFonds(ex);
      },
      listCategories: (ex) => catalog.listCategories(ex),
    };
    const labels = createLabels(counted, organisations);
    await addAgency('lbl-a', '市发展和改革委员会');
    await addFonds('lbl-f1', '市发改委全宗', 'lbl-a');

    expect((await labels.lists(db, ['lbl-f1'], [])).fonds.get('lbl-f1')?.name).toBe('市发改委全宗');
    expect((await labels.lists(db, ['lbl-f1'], [])).fonds.get('lbl-f1')?.name).toBe('市发改委全宗');
    expect(reads).toBe(1);

    // A fonds added since is read once the kept list is LABELS_RETRY_MS old, and so is
    // an id that names nothing: not on every search.
    await addFonds('lbl-f2', '市财政局全宗', 'lbl-a');
    expect((await labels.lists(db, ['lbl-f1', 'lbl-f2', 'lbl-gone'], [])).fonds.has('lbl-f2')).toBe(false);
    expect(reads).toBe(1);
    vi.setSystemTime(Date.now() + LABELS_RETRY_MS);
    expect((await labels.lists(db, ['lbl-f1', 'lbl-f2', 'lbl-gone'], [])).fonds.get('lbl-f2')?.name).toBe('市财政局全宗');
    expect((await labels.lists(db, ['lbl-f1', 'lbl-f2', 'lbl-gone'], [])).fonds.has('lbl-gone')).toBe(false);
    expect(reads).toBe(2);

    // A rename shows once the kept names are older than LABELS_KEPT_MS.
    await db.updateTable('fonds').set({ name: '市发展改革委全宗' }).where('id', '=', 'lbl-f1').execute();
    expect((await labels.lists(db, ['lbl-f1'], [])).fonds.get('lbl-f1')?.name).toBe('市发改委全宗');
    vi.setSystemTime(Date.now() + LABELS_KEPT_MS + 1);
    expect((await labels.lists(db, ['lbl-f1'], [])).fonds.get('lbl-f1')?.name).toBe('市发展改革委全宗');
    expect(reads).toBe(3);
  });

  it('names agencies from kept names, reads at once an agency it has not seen, and leaves out ids that name none', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const db = t.app.database.db;
    const asked: string[][] = [];
    const labels = createLabels(t.app.services.catalog, { ...organisations, find: (ex, ids) => (asked.push([...ids]), organisations.find(ex, ids)) });
    await addAgency('lbl-b', '市审计局');
    expect(await labels.agencies(db, ['lbl-b', 'lbl-none'])).toEqual(new Map([['lbl-b', '市审计局']]));
    // An id that named nothing is asked again only after LABELS_RETRY_MS.
    expect(await labels.agencies(db, ['lbl-b', 'lbl-none'])).toEqual(new Map([['lbl-b', '市审计局']]));
    vi.setSystemTime(Date.now() + LABELS_RETRY_MS);
    await labels.agencies(db, ['lbl-b', 'lbl-none']);
    expect(asked).toEqual([['lbl-b', 'lbl-none'], ['lbl-none']]);

    await db.updateTable('organisations').set({ name: '市审计局（更名）' }).where('id', '=', 'lbl-b').execute();
    await addAgency('lbl-c', '市统计局');
    expect(await labels.agencies(db, ['lbl-b', 'lbl-c'])).toEqual(new Map([['lbl-b', '市审计局'], ['lbl-c', '市统计局']]));
    vi.setSystemTime(Date.now() + LABELS_KEPT_MS + 1);
    expect((await labels.agencies(db, ['lbl-b'])).get('lbl-b')).toBe('市审计局（更名）');
  });
});
