/**
 * The four-property check report (四性检测报告) both sides read: a summary (counts
 * per result and property, pass rate), the package-level results, and per item
 * every check with its evidence; as JSON and as a printable page (A4, every value
 * escaped). Built from the stored results, so it reads the same years later.
 */
import type { Executor } from '../../platform/db/database.js';
import type { CheckResult } from './model.js';
import { PROPERTY_LABELS, STATUS_LABELS } from './model.js';
import type { CheckSummary } from './checks/run-checks.js';
import { CHECK_BY_ID, CHECKS } from './checks/registry.js';
import type { TransfersTable } from './tables.js';

export interface ReportFinding {
  checkId: string;
  name: string;
  result: CheckResult;
  message: string;
  expected?: unknown;
  found?: unknown;
  file: string | null;
}

export interface TransferReport {
  transfer: { id: string; title: string; status: string; version: number; channel: string; submittedAt: string | null; checkedAt: string | null };
  summary: CheckSummary | null;
  checks: ReadonlyArray<{ id: string; property: string; clause: string; name: string }>;
  package: ReportFinding[];
  items: Array<{ id: string; position: number; title: string; archivalCode: string | null; result: string | null; returnReason: string | null; findings: ReportFinding[] }>;
}

export async function buildReport(db: Executor, transfer: TransfersTable): Promise<TransferReport> {
  const items = await db.selectFrom('transfer_items').select(['id', 'position', 'title', 'archival_code', 'result', 'return_reason']).where('transfer_id', '=', transfer.id).orderBy('position').execute();
  const files = new Map((await db.selectFrom('transfer_files').select(['id', 'path']).where('transfer_id', '=', transfer.id).execute()).map((f) => [f.id, f.path]));
  const rows = await db.selectFrom('transfer_check_results').selectAll().where('transfer_id', '=', transfer.id).orderBy('check_id').execute();
  const toFinding = (r: (typeof rows)[number]): ReportFinding => {
    const evidence = JSON.parse(r.evidence) as { message: string; expected?: unknown; found?: unknown };
    return { checkId: r.check_id, name: CHECK_BY_ID.get(r.check_id)?.name ?? r.check_id, result: r.result as CheckResult, ...evidence, file: r.file_id ? (files.get(r.file_id) ?? null) : null };
  };
  const byItem = new Map<string, ReportFinding[]>();
  const packageFindings: ReportFinding[] = [];
  for (const r of rows) {
    if (r.item_id) byItem.set(r.item_id, [...(byItem.get(r.item_id) ?? []), toFinding(r)]);
    else packageFindings.push(toFinding(r));
  }
  return {
    transfer: { id: transfer.id, title: transfer.title, status: transfer.status, version: transfer.version, channel: transfer.channel, submittedAt: transfer.submitted_at, checkedAt: transfer.checked_at },
    summary: transfer.summary ? (JSON.parse(transfer.summary) as CheckSummary) : null,
    checks: CHECKS.map((c) => ({ id: c.id, property: c.property, clause: c.clause, name: c.name })),
    package: packageFindings,
    items: items.map((i) => ({ id: i.id, position: i.position, title: i.title, archivalCode: i.archival_code, result: i.result, returnReason: i.return_reason, findings: byItem.get(i.id) ?? [] })),
  };
}

function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const COLOUR: Record<string, string> = { 通过: '#237804', 警告: '#ad6800', 不通过: '#a8071a', 未检测: '#595959' };

/** The report as a printable page (A4). */
export function reportHtml(report: TransferReport): string {
  const s = report.summary;
  const cell = (r: string) => `<td style="color:${COLOUR[r] ?? '#000'}">${esc(r)}</td>`;
  const findingRows = (list: ReportFinding[]) =>
    list
      .filter((f) => f.result !== '通过')
      .map((f) => `<tr><td>${esc(f.checkId)}</td><td>${esc(f.name)}</td>${cell(f.result)}<td>${esc(f.message)}${f.file ? `<br><small>${esc(f.file)}</small>` : ''}</td></tr>`)
      .join('');
  const summaryRows = s
    ? Object.entries(s.byProperty)
        .map(([p, c]) => `<tr><td>${esc(PROPERTY_LABELS[p as keyof typeof PROPERTY_LABELS] ?? p)}</td><td>${c['通过']}</td><td>${c['警告']}</td><td>${c['不通过']}</td><td>${c['未检测']}</td></tr>`)
        .join('')
    : '';
  const items = report.items
    .map((i) => {
      const rows = findingRows(i.findings);
      return `<tr><td>${i.position}</td><td>${esc(i.archivalCode)}</td><td>${esc(i.title)}</td>${cell(i.result ?? '未检测')}</tr>${rows ? `<tr><td></td><td colspan="3"><table class="inner">${rows}</table></td></tr>` : ''}`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>四性检测报告 ${esc(report.transfer.title)}</title>
<style>
@page { size: A4 portrait; margin: 18mm 15mm; }
body { font-family: "SimSun", "WenQuanYi Micro Hei", serif; font-size: 10.5pt; }
h1 { text-align: center; font-size: 17pt; } h2 { font-size: 12pt; margin-top: 6mm; }
table { width: 100%; border-collapse: collapse; } th, td { border: 0.5pt solid #000; padding: 1.2mm; vertical-align: top; word-break: break-all; }
table.inner td { border: none; border-bottom: 0.3pt dotted #999; } thead { display: table-header-group; } tr { page-break-inside: avoid; }
</style></head><body>
<h1>电子档案移交四性检测报告</h1>
<p>移交批次：${esc(report.transfer.title)}（第 ${report.transfer.version} 版）　状态：${esc(STATUS_LABELS[report.transfer.status as keyof typeof STATUS_LABELS]?.zh ?? report.transfer.status)}　检测时间：${esc(s?.checkedAt ?? '')}</p>
${s ? `<p>共 ${s.items} 件、${s.files} 个文件、${s.bytes} 字节；通过 ${s.passedItems} 件，合格率 ${s.passRate}%。</p>` : '<p>尚未检测。</p>'}
${s ? `<p>病毒检测：${esc(s.virusDatabase?.zh ?? '未配置病毒检测服务')}</p>` : ''}
<h2>按检测属性汇总</h2>
<table><thead><tr><th>属性</th><th>通过</th><th>警告</th><th>不通过</th><th>未检测</th></tr></thead><tbody>${summaryRows}</tbody></table>
<h2>批次检测</h2>
<table><thead><tr><th>编号</th><th>检测项</th><th>结果</th><th>说明</th></tr></thead><tbody>${report.package.map((f) => `<tr><td>${esc(f.checkId)}</td><td>${esc(f.name)}</td>${cell(f.result)}<td>${esc(f.message)}</td></tr>`).join('')}</tbody></table>
<h2>逐件检测（仅列出未通过的检测项）</h2>
<table><thead><tr><th>序号</th><th>档号</th><th>题名</th><th>结果</th></tr></thead><tbody>${items}</tbody></table>
</body></html>`;
}

export interface ReceiptFacts {
  agencyName: string;
  archiveName: string;
  title: string;
  years: string;
  items: number;
  files: number;
  bytes: number;
  channel: string;
  carrier: string | null;
  submittedAt: string | null;
  decidedAt: string | null;
}

/** 电子档案移交接收登记表 (after DA/T 93's hand-over register): one page both sides sign. */
export function receiptHtml(report: TransferReport, facts: ReceiptFacts): string {
  const s = report.summary;
  const route = { web: '在线移交（网页）', api: '在线移交（接口）', cli: '在线移交（命令行）', offline: '离线移交' }[facts.channel] ?? facts.channel;
  const row = (label: string, value: string) => `<tr><th>${esc(label)}</th><td colspan="3">${esc(value)}</td></tr>`;
  const props = s ? Object.entries(s.byProperty).map(([p, c]) => `${PROPERTY_LABELS[p as keyof typeof PROPERTY_LABELS] ?? p}：通过 ${c['通过']}，警告 ${c['警告']}，不通过 ${c['不通过']}，未检测 ${c['未检测']}`).join('；') : '尚未检测';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>电子档案移交接收登记表 ${esc(facts.title)}</title>
<style>@page { size: A4 portrait; margin: 20mm; } body { font-family: "SimSun", "WenQuanYi Micro Hei", serif; font-size: 11pt; }
h1 { text-align: center; font-size: 17pt; letter-spacing: 0.2em; } table { width: 100%; border-collapse: collapse; } th, td { border: 0.5pt solid #000; padding: 2.5mm; vertical-align: top; }
th { width: 22%; font-weight: normal; background: #fafafa; } .sign td { height: 22mm; }</style></head><body>
<h1>电子档案移交接收登记表</h1>
<table>
${row('移交单位', facts.agencyName)}
${row('接收单位', facts.archiveName)}
${row('批次名称', `${facts.title}（第 ${report.transfer.version} 版）`)}
${row('内容年度', facts.years)}
${row('移交方式', facts.carrier ? `${route}；载体 ${facts.carrier}` : route)}
${row('数量', `${facts.items} 件，${facts.files} 个文件，${facts.bytes} 字节`)}
${row('四性检测', s ? `合格 ${s.passedItems} 件，合格率 ${s.passRate}%；${props}` : '尚未检测')}
${row('移交日期', facts.submittedAt?.slice(0, 10) ?? '')}
${row('接收日期', facts.decidedAt?.slice(0, 10) ?? '')}
<tr class="sign"><th>移交单位（盖章）<br>经办人：</th><td></td><th>接收单位（盖章）<br>经办人：</th><td></td></tr>
</table>
</body></html>`;
}
