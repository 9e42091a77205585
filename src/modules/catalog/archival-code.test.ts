import { describe, expect, it } from 'vitest';
import { isValidArchivalDate, normaliseArchivalDate } from './archival-date.js';
import { checkContinuity, classKeyOf, DAT13_VOLUME_PATTERN, DAT22_ITEM_PATTERN, describePattern, formatArchivalCode, formatVolumeCode, normaliseArchivalCode, parseArchivalCode } from './archival-code.js';

const parts = { fondsCode: 'Z109', categoryCode: 'WS', year: 2011, retention: 'Y' as const, orgCode: 'BGS', volumeNo: null, itemNo: 1 };

describe('archival codes (DA/T 22-2015)', () => {
  it('formats the item form with and without the organisation segment', () => {
    expect(formatArchivalCode(DAT22_ITEM_PATTERN, parts)).toBe('Z109-WS·2011-Y-BGS-0001');
    expect(formatArchivalCode(DAT22_ITEM_PATTERN, { ...parts, orgCode: null })).toBe('Z109-WS·2011-Y-0001');
    expect(describePattern(DAT22_ITEM_PATTERN)).toBe('全宗号-门类代码·年度-保管期限[-机构(问题)代码]-件号');
  });

  it('formats second-level category codes and the volume form (DA/T 13-2022)', () => {
    expect(formatArchivalCode(DAT22_ITEM_PATTERN, { ...parts, categoryCode: 'SW·JB', itemNo: 12 })).toBe('Z109-SW·JB·2011-Y-BGS-0012');
    const vol = { ...parts, categoryCode: 'KJ', retention: 'D30' as const, volumeNo: 7, itemNo: 3 };
    expect(formatVolumeCode(DAT13_VOLUME_PATTERN, vol)).toBe('Z109-KJ·2011-D30-BGS-007');
    expect(formatArchivalCode(DAT13_VOLUME_PATTERN, vol)).toBe('Z109-KJ·2011-D30-BGS-007-003');
    expect(classKeyOf(DAT13_VOLUME_PATTERN, vol)).toBe('Z109-KJ·2011-D30-BGS-007');
  });

  it('parses codes back into their parts, with the optional segment present or not', () => {
    expect(parseArchivalCode(DAT22_ITEM_PATTERN, 'Z109-WS·2011-Y-BGS-0001')).toMatchObject({ fondsCode: 'Z109', categoryCode: 'WS', year: 2011, retention: 'Y', orgCode: 'BGS', itemNo: 1 });
    expect(parseArchivalCode(DAT22_ITEM_PATTERN, 'Z109-WS·2011-D30-0042')).toMatchObject({ orgCode: null, retention: 'D30', itemNo: 42 });
    expect(parseArchivalCode(DAT22_ITEM_PATTERN, 'Z109-SW·JB·2011-D10-0002')).toMatchObject({ categoryCode: 'SW·JB', retention: 'D10' });
  });

  it('accepts look-alike dots, dashes and full-width characters and normalises them', () => {
    for (const typed of ['Z109-WS•2011-Y-0001', 'Z109-WS・2011-Y-0001', 'Z109－WS．2011—Y-0001', 'Ｚ１０９-WS·2011-Y-0001', ' Z109-WS.2011-Y-0001 ']) {
      expect(normaliseArchivalCode(typed)).toBe('Z109-WS·2011-Y-0001');
      expect(parseArchivalCode(DAT22_ITEM_PATTERN, typed)?.itemNo).toBe(1);
    }
  });

  it('rejects codes that do not match the pattern', () => {
    for (const bad of ['Z109-WS-2011-Y-0001', 'Z109-WS·11-Y-0001', 'Z109-WS·2011-P-0001', 'Z109-WS·2011-Y-001', 'Z109-WS·2011-Y-BGS-00001', 'Z109WS·2011-Y-0001', '']) {
      expect(parseArchivalCode(DAT22_ITEM_PATTERN, bad), bad).toBeNull();
    }
  });

  it('lists gaps and duplicates of item numbers per lowest class', () => {
    const report = checkContinuity([
      { classKey: 'A', itemNo: 1 }, { classKey: 'A', itemNo: 2 }, { classKey: 'A', itemNo: 5 }, { classKey: 'A', itemNo: 5 }, { classKey: 'A', itemNo: 9 },
      { classKey: 'B', itemNo: 2 },
      { classKey: 'C', itemNo: 1 }, { classKey: 'C', itemNo: 2 },
    ]);
    expect(report).toEqual([
      { classKey: 'A', count: 5, first: 1, last: 9, gaps: [[3, 4], [6, 8]], duplicates: [5] },
      { classKey: 'B', count: 1, first: 2, last: 2, gaps: [[1, 1]], duplicates: [] },
      { classKey: 'C', count: 2, first: 1, last: 2, gaps: [], duplicates: [] },
    ]);
  });
});

describe('archival dates (DA/T 46)', () => {
  it('accepts real dates in eight, six or four digits and refuses impossible ones', () => {
    for (const ok of ['20230215', '20240229', '202302', '1949', '19000228']) expect(isValidArchivalDate(ok), ok).toBe(true);
    for (const bad of ['20230230', '20230229', '19000229', '20231301', '202300', '2023021', '2023-02-15', '0999', 'abcd']) expect(isValidArchivalDate(bad), bad).toBe(false);
  });

  it('normalises the forms people type', () => {
    expect(normaliseArchivalDate('2023-2-5')).toBe('20230205');
    expect(normaliseArchivalDate('2023年2月15日')).toBe('20230215');
    expect(normaliseArchivalDate('2023.02')).toBe('202302');
    expect(normaliseArchivalDate('20230215')).toBe('20230215');
    expect(normaliseArchivalDate('二〇二三年')).toBeNull();
  });
});
