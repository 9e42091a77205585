/**
 * Demo catalog: the fonds of a prefecture government office (演示市人民政府办公室),
 * several hundred 文书 items from 1992 to 2024, a set of photographs and a volume-
 * arranged construction project, with codes generated as an archivist would, mixed
 * openness (older items due for 开放审核, some opened, recent ones controlled or
 * pending) and 内部 markings. Deterministic, so screenshots and tests agree.
 */
import type { Tx } from '../../platform/db/database.js';
import type { Actor } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import type { ArchivalCodes } from './codes.js';
import type { CatalogService } from './service.js';

const SUBJECTS = [
  (y: number) => `关于印发《${y}年政府工作报告》重点任务分工的通知`,
  (y: number) => `关于做好${y}年防汛抗旱工作的通知`,
  (y: number) => `关于${y}年度财政预算执行情况的报告`,
  (y: number) => `关于表彰${y}年度先进集体和先进个人的决定`,
  () => '关于开展安全生产大检查的通知',
  () => '关于调整市档案工作领导小组组成人员的通知',
  () => '关于加强机关档案工作的意见',
  () => '关于城区道路改造工程立项的批复',
  () => '关于进一步做好政务公开工作的通知',
  () => '关于春节期间值班安排的通知',
  () => '关于开展爱国卫生运动的通知',
  () => '关于做好农村土地承包经营权确权登记工作的通知',
  () => '关于建立三码分类监管制度的实施意见',
  () => '关于推进数字档案馆建设的工作方案',
  () => '关于成立市重大项目建设指挥部的通知',
];
const MEETINGS = (n: number) => `市政府常务会议纪要（第${n}次）`;
const ORG_CODES: Array<[string, string]> = [['BGS', '办公室'], ['MSK', '秘书科'], ['ZHK', '综合科']];
const DOC_TYPES = ['通知', '通知', '批复', '报告', '意见', '决定', '纪要'];

/** A small deterministic generator (mulberry32), so the demo is the same every time. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoCatalogDeps {
  catalog: CatalogService;
  codes: ArchivalCodes;
}

export async function seedDemoCatalog(tx: Tx, deps: DemoCatalogDeps, archivist: { actor: Actor; viewer: Viewer }, agency: { id: string; name: string }): Promise<{ items: number }> {
  const { catalog, codes } = deps;
  const { actor, viewer } = archivist;
  const rand = random(2026);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const categories = new Map((await catalog.listCategories(tx)).map((c) => [c.code, c.id]));
  const fondsId = await catalog.createFonds(tx, actor, { code: 'J001', name: agency.name, agencyId: agency.id, history: '演示市人民政府办公室是市人民政府的办事机构，1983 年设立，负责市政府日常运转、文电会务、督查督办、政务公开等工作。本全宗收存其 1992 年以来形成的文书、照片和科技档案。' });
  for (const [code, name] of ORG_CODES) await catalog.addOrgCode(tx, actor, fondsId, { code, name });
  const WS = categories.get('WS') as string;
  const ZP = categories.get('ZP') as string;
  const KJ = categories.get('KJ') as string;
  const now = new Date().getFullYear();
  let items = 0;
  let meeting = 1;
  const ids: string[] = [];
  for (let year = 1992; year <= Math.min(2024, now - 1); year++) {
    const perYear = 6 + Math.floor(rand() * 8);
    for (let i = 0; i < perYear; i++) {
      const month = 1 + Math.floor((i * 12) / perYear);
      const day = 1 + Math.floor(rand() * 27);
      const date = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
      const isMeeting = rand() < 0.2;
      const title = isMeeting ? MEETINGS(meeting++) : pick(SUBJECTS)(year);
      const age = now - year;
      const retention = isMeeting || rand() < 0.55 ? 'Y' : rand() < 0.6 ? 'D30' : 'D10';
      // Older records: some already opened by review, the rest due; recent ones mostly controlled or pending.
      const openness = age > 25 ? (rand() < 0.4 ? '开放' : '控制') : rand() < 0.3 ? '开放' : rand() < 0.7 ? '控制' : '待定';
      const control = openness !== '开放' && rand() < 0.15 ? '内部' : null;
      ids.push(
        await catalog.createItem(tx, actor, viewer, {
          fondsId,
          categoryId: WS,
          title,
          responsible: agency.name,
          date,
          year,
          retention,
          openness,
          control,
          orgCode: year >= 2006 ? pick(ORG_CODES)[0] : null,
          docNumber: isMeeting ? null : `演府办发〔${year}〕${i + 1}号`,
          docType: isMeeting ? '纪要' : pick(DOC_TYPES),
          pageCount: 1 + Math.floor(rand() * 24),
          keywords: title.includes('档案') ? '档案' : null,
          agencyOpennessOpinion: age > 25 ? (openness === '开放' ? '建议开放' : '建议控制使用') : null,
        }),
      );
      items += 1;
    }
  }
  const places = ['高新区', '老城区', '临江镇', '东湖街道', '市档案馆'];
  for (let n = 0; n < 40; n++) {
    const year = 2010 + (n % 15);
    const place = pick(places);
    ids.push(
      await catalog.createItem(tx, actor, viewer, {
        fondsId,
        categoryId: ZP,
        title: `市领导到${place}调研（${n + 1}）`,
        responsible: agency.name,
        date: `${year}0${1 + (n % 9)}15`,
        year,
        retention: 'Y',
        openness: rand() < 0.5 ? '开放' : '待定',
        extensions: { photographer: pick(['王伟', '李静', '张磊']), place },
      }),
    );
    items += 1;
  }
  for (const [title, year] of [['市档案馆新馆建设工程立项审批文件', 2018], ['市档案馆新馆建设工程施工图', 2019], ['市档案馆新馆建设工程竣工验收文件', 2021]] as const) {
    const volumeId = await catalog.createVolume(tx, actor, viewer, { fondsId, categoryId: KJ, title, year, retention: 'Y', orgCode: null, classification: '非密', secrecyTerm: null, control: null, openness: '控制', remarks: null });
    for (let n = 1; n <= 6; n++) {
      ids.push(
        await catalog.createItem(tx, actor, viewer, { fondsId, categoryId: KJ, volumeId, title: `${title.replace('市档案馆新馆建设工程', '')}（${n}）`, responsible: '市档案馆新馆建设指挥部', date: `${year}0${n}10`, year, retention: 'Y', openness: '控制', extensions: { projectName: '市档案馆新馆建设工程' } }),
      );
      items += 1;
    }
  }
  // Most of it arranged (coded); the last year's 文书 left for the visitor to arrange.
  const lastYear = Math.min(2024, now - 1);
  const toCode = (await catalog.listItems(tx, viewer, { fondsId, uncoded: true, sort: 'date', order: 'asc', offset: 0, limit: 500 })).items.filter((i) => !(i.categoryId === WS && i.year === lastYear)).map((i) => i.id);
  await codes.apply(tx, actor, viewer, { mode: 'generate', itemIds: toCode }, '演示数据：编制档号');
  return { items };
}
