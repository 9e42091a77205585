import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../platform/db/test-support/databases.js';
import { createCatalogFixture, type CatalogFixture, type Session } from '../test-support/fixture.js';

const HEADER = ['序号', '档号', '文号', '责任者', '题名', '日期', '年度', '保管期限', '密级', '页数', '备注'];

function csvLine(cells: Array<string | number>): string {
  return cells.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',');
}

/** GBK bytes of `text`, as Excel on a Chinese Windows saves CSV (Node encodes only UTF-8, so glibc's iconv does it). */
async function gbk(text: string): Promise<Buffer> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });
}

describe.each(DIALECTS)('catalog import over HTTP on %s', (dialect) => {
  let f: CatalogFixture;
  let WS = '';
  const upload = (s: Session, bytes: Buffer, fileName: string, fondsId = f.fondsId) =>
    f.call(s, 'POST', `/api/catalog/imports?fondsId=${fondsId}&categoryId=${WS}&fileName=${encodeURIComponent(fileName)}`, bytes, { 'content-type': 'application/octet-stream' });
  const total = async () => (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items?fondsId=${f.fondsId}&limit=1`)).json().total as number;

  beforeAll(async () => {
    f = await createCatalogFixture(dialect);
    WS = f.categories.WS as string;
  });
  afterAll(async () => f?.close());

  it('reads a GBK CSV with title rows above the header, reports each bad row, lets it be fixed, then applies all rows at once', async () => {
    const lines = [
      '演示市人民政府办公室 2022 年度归档文件目录',
      '',
      csvLine(HEADER),
      csvLine([1, 'J001-WS·2022-Y-0001', '演府办〔2022〕1号', '演示市人民政府办公室', '关于印发2022年工作要点的通知', '20220110', 2022, '永久', '非密', 5, '']),
      csvLine([2, 'J001-WS·2022-Y-0002', '演府办〔2022〕2号', '演示市人民政府办公室', '关于春节期间值班安排的通知', '20230230', 2022, '永久', '', 2, '']),
      csvLine([3, 'J001-WS·2022-Y-0003', '', '演示市人民政府办公室', '会议纪要', '2022-03-05', 2022, 'Y', '非密', '十二', '']),
      csvLine([4, 'J001-WS·2022-Y-0001', '', '演示市人民政府办公室', '重复档号', '20220401', 2022, '永久', '非密', 1, '']),
    ];
    const before = await total();
    const res = await upload(f.sessions.archivist, await gbk(lines.join('\r\n')), '2022目录.csv');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ status: 'checked', totalRows: 4, errorRows: 3 });
    const problems = report.problems.filter((p: { severity: string }) => p.severity === 'error');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 5, column: '日期', value: '20230230', problem: '日期不存在' }),
        expect.objectContaining({ row: 6, column: '页数', value: '十二', problem: '页数应为整数' }),
        expect.objectContaining({ row: 7, column: '档号', value: 'J001-WS·2022-Y-0001', problem: '档号与第 4 行重复' }),
      ]),
    );
    // Applying with errors is refused and writes nothing.
    const refused = await f.call(f.sessions.archivist, 'POST', `/api/catalog/imports/${report.id}/apply`);
    expect(refused.json().code).toBe('CATALOG_IMPORT_HAS_ERRORS');
    expect(await total()).toBe(before);

    await f.call(f.sessions.archivist, 'PATCH', `/api/catalog/imports/${report.id}/rows/5`, { values: { date: '20220228' } });
    await f.call(f.sessions.archivist, 'PATCH', `/api/catalog/imports/${report.id}/rows/6`, { values: { pageCount: '12' } });
    const still = await f.call(f.sessions.archivist, 'PATCH', `/api/catalog/imports/${report.id}/rows/7`, { values: { archivalCode: 'J001-WS·2022-Y-0002' } });
    expect(still.json().errorRows).toBe(1);
    const fixed = await f.call(f.sessions.archivist, 'PATCH', `/api/catalog/imports/${report.id}/rows/7`, { values: { archivalCode: 'J001-WS·2022-Y-0004' } });
    expect(fixed.json().errorRows).toBe(0);
    const applied = await f.call(f.sessions.archivist, 'POST', `/api/catalog/imports/${report.id}/apply`);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toEqual({ imported: 4 });
    expect(await total()).toBe(before + 4);
    const listed = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items?fondsId=${f.fondsId}&year=2022&sort=archivalCode`)).json().items;
    expect(listed.map((i: { archivalCode: string; date: string }) => [i.archivalCode, i.date])).toEqual([
      ['J001-WS·2022-Y-0001', '20220110'],
      ['J001-WS·2022-Y-0002', '20220228'],
      ['J001-WS·2022-Y-0003', '20220305'],
      ['J001-WS·2022-Y-0004', '20220401'],
    ]);
    const again = await f.call(f.sessions.archivist, 'POST', `/api/catalog/imports/${report.id}/apply`);
    expect(again.statusCode).toBe(409);
  });

  it('reads an xlsx whose first sheet is a cover, with merged cells and formulas, and says so', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('封面').addRow(['2021 年度文书档案']);
    const ws = wb.addWorksheet('目录');
    ws.addRow([]);
    ws.addRow(['题名', '责任者', '日期', '保管期限', '页数', '密级']);
    ws.addRow(['关于甲的通知', '演示市人民政府办公室', '20210105', '永久', { formula: '2+3', result: 5 }, '非密']);
    ws.addRow(['关于乙的通知', null, new Date(Date.UTC(2021, 1, 3)), '永久', 3, '非密']);
    ws.addRow(['关于丙的通知', null, '20210303', '定期10年', { formula: 'A1/0' }, '非密']);
    ws.mergeCells('B3:B5');
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(f.sessions.archivist, bytes, '2021目录.xlsx');
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ sheet: '目录', totalRows: 3, errorRows: 1 });
    const kinds = report.problems.map((p: { row: number; severity: string; problem: string }) => `${p.row}:${p.severity}:${p.problem}`);
    expect(kinds).toEqual(expect.arrayContaining([expect.stringMatching(/^3:warning:合并单元格 B3:B5/), '3:warning:单元格是公式，已取其计算结果', '5:error:公式没有可用的计算结果']));
  });

  it('refuses files it cannot read with a clear message, and writes nothing', async () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.alloc(0), 'CATALOG_IMPORT_FORMAT'],
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'CATALOG_IMPORT_FORMAT'],
      [Buffer.from('PK\u0003\u0004 this is no zip'), 'CATALOG_IMPORT_FORMAT'],
      [Buffer.from('名称,数量\n苹果,3\n'), 'CATALOG_IMPORT_NO_HEADER'],
      [Buffer.from('"题名,责任者\n"unterminated'), 'CATALOG_IMPORT_FORMAT'],
    ];
    const before = await total();
    for (const [bytes, code] of cases) {
      const res = await upload(f.sessions.archivist, bytes, 'bad');
      expect(res.json().code, res.body).toBe(code);
      expect(res.json().message).not.toMatch(/undefined|\{reason\}/);
    }
    expect(await total()).toBe(before);
  });

  it('keeps 内部 written under 密级 as the control marking it is, with a warning', async () => {
    const csv = Buffer.from('题名,责任者,日期,保管期限,密级\n内部事务通知,演示市人民政府办公室,2023-02-15,永久,内部\n');
    const report = (await upload(f.sessions.archivist, csv, 'internal.csv')).json();
    expect(report).toMatchObject({ errorRows: 0 });
    expect(report.problems).toEqual([expect.objectContaining({ row: 2, severity: 'warning', column: '密级', value: '内部' })]);
    expect((await f.call(f.sessions.archivist, 'POST', `/api/catalog/imports/${report.id}/apply`)).json()).toEqual({ imported: 1 });
    const [stored] = (await f.call(f.sessions.archivist, 'GET', `/api/catalog/items?q=${encodeURIComponent('内部事务通知')}`)).json().items;
    expect(stored).toMatchObject({ classification: '非密', control: '内部' });
  });

  it('shows import reports, which quote cell values, to archivists only', async () => {
    const csv = Buffer.from('题名,责任者,日期,保管期限\n机密内容的题名,某单位,20230230,永久\n');
    const report = (await upload(f.sessions.archivist, csv, 'r.csv')).json();
    for (const who of ['citizen', 'clerk', 'gov'] as const) expect((await f.call(f.sessions[who], 'GET', `/api/catalog/imports/${report.id}`)).statusCode, who).toBe(403);
    expect((await f.call(f.sessions.archivist, 'GET', `/api/catalog/imports/${report.id}`)).json().errorRows).toBe(1);
  });

  it('lets only archivists import, and audits the refusal', async () => {
    const csv = Buffer.from(`${csvLine(HEADER)}\n${csvLine([1, '', '', '某单位', '题名', '20200101', 2020, '永久', '非密', 1, ''])}\n`);
    expect((await upload(f.sessions.clerk, csv, 'x.csv')).statusCode).toBe(403);
    expect((await upload(f.anonymous, csv, 'x.csv')).statusCode).toBe(401);
    const refused = await f.t.app.database.db.selectFrom('audit_entries').select(['actor_username', 'result']).where('action', '=', 'catalog.import.check').where('result', '=', 'refused').execute();
    expect(refused.map((r) => r.actor_username)).toContain('clerk');
  });

  it('offers a template that imports cleanly once filled in', async () => {
    const res = await f.call(f.sessions.archivist, 'GET', `/api/catalog/import/template?categoryId=${WS}`);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('归档文件目录');
    const headers = (sheet?.getRow(1).values as string[]).slice(1);
    expect(headers).toEqual(expect.arrayContaining(['题名*', '责任者*', '日期*', '保管期限*', '档号']));
    const row: Record<string, string | number> = { '题名*': '模板导入测试', '责任者*': '演示市人民政府办公室', '日期*': '20180808', '年度*': 2018, '保管期限*': '定期10年', '密级*': '非密' };
    sheet?.addRow(headers.map((h) => row[h] ?? null));
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const report = (await upload(f.sessions.archivist, filled, '模板.xlsx')).json();
    expect(report).toMatchObject({ totalRows: 1, errorRows: 0 });
    expect((await f.call(f.sessions.archivist, 'POST', `/api/catalog/imports/${report.id}/apply`)).json()).toEqual({ imported: 1 });
  });
});
