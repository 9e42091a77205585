/**
 * A synthetic archive for the search benchmark and the conformance test: realistic Chinese government records,
 * deterministic (item n is the same on every run), generated on the fly.
 *
 *  - Words are drawn from jieba's dictionary (dict.txt, ~350,000 words) by frequency,
 *    so text has the word distribution of real Chinese.
 *  - Titles follow the 公文 pattern `关于…的通知/报告/…`; text is 1–5 KB of clauses.
 *  - Set phrases of government writing (经研究决定, 贯彻落实 …) are planted with fixed
 *    probabilities, so every query kind has terms in each selectivity class by design
 *    (≈ 0.8 %, 10 %, 30 % of items); the benchmark still measures each term's real count.
 *  - 10 fonds, J001 holding 30 % and J002 10 % of items, 2000–2023, so 档号 prefixes have
 *    the same classes (J00x-WS·yyyy ≈ 0.3 %, J002 ≈ 10 %, J001-WS ≈ 30 %).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { FeedRecord } from '../../catalog/search-feed.js';

const HAN_ONLY = /^\p{Script=Han}+$/u;

/** Planted terms: [text, probability an item holds it]. */
export const PLANTED: ReadonlyArray<{ kind: '2-char' | '4-char' | 'phrase' | 'multi-word'; text: string; p: number }> = [
  { kind: '2-char', text: '蓄洪', p: 0.008 },
  { kind: '2-char', text: '督办', p: 0.1 },
  { kind: '2-char', text: '备案', p: 0.3 },
  { kind: '4-char', text: '安全生产', p: 0.008 },
  { kind: '4-char', text: '贯彻落实', p: 0.1 },
  { kind: '4-char', text: '研究决定', p: 0.3 },
  { kind: 'phrase', text: '按照属地管理原则', p: 0.008 },
  { kind: 'phrase', text: '请各单位认真组织实施', p: 0.1 },
  { kind: 'phrase', text: '现将有关事项通知如下', p: 0.3 },
  // Multi-word queries AND two planted words whose probabilities multiply into the class.
  { kind: 'multi-word', text: '防汛', p: 0.09 },
  { kind: 'multi-word', text: '抗旱', p: 0.09 },
  { kind: 'multi-word', text: '扶贫', p: 0.32 },
  { kind: 'multi-word', text: '攻坚', p: 0.32 },
  { kind: 'multi-word', text: '改革', p: 0.55 },
  { kind: 'multi-word', text: '创新', p: 0.55 },
];

export const FONDS = ['J001', 'J002', 'J003', 'J004', 'J005', 'J006', 'J007', 'J008', 'J009', 'J010'];
const FONDS_WEIGHTS = [0.3, 0.1, 0.075, 0.075, 0.075, 0.075, 0.075, 0.075, 0.075, 0.075];
const SUFFIXES = ['通知', '报告', '请示', '批复', '意见', '决定', '方案', '会议纪要', '函', '通报'];
const AGENCIES = ['市人民政府办公室', '市发展和改革委员会', '市教育局', '市财政局', '市自然资源局', '市生态环境局', '市住房和城乡建设局', '市交通运输局', '市水利局', '市农业农村局', '市卫生健康委员会', '市应急管理局'];
const RETENTIONS = ['Y', 'D30', 'D10'];

/** A small, fast, seedable generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Vocabulary {
  words: string[];
  cumulative: Float64Array;
  /** 2^20 words drawn by frequency once: drawing from it is O(1) and keeps the distribution. */
  pool: string[];
}
const POOL_SIZE = 1 << 20;

/** jieba's dictionary, Han words only, with cumulative frequencies for sampling. */
export function loadVocabulary(): Vocabulary {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@node-rs/jieba/dict.txt');
  const planted = new Set(PLANTED.map((p) => p.text));
  const words: string[] = [];
  const freqs: number[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [word, freq] = line.split(' ');
    if (!word || !freq || !HAN_ONLY.test(word) || planted.has(word)) continue;
    words.push(word);
    freqs.push(Number(freq));
  }
  const cumulative = new Float64Array(freqs.length);
  let sum = 0;
  for (let i = 0; i < freqs.length; i++) cumulative[i] = sum += freqs[i] ?? 0;
  for (let i = 0; i < cumulative.length; i++) cumulative[i] = (cumulative[i] ?? 0) / sum;
  const vocabulary: Vocabulary = { words, cumulative, pool: [] };
  const random = rng(42);
  for (let i = 0; i < POOL_SIZE; i++) vocabulary.pool.push(draw(vocabulary, random()));
  return vocabulary;
}

function sample(v: Vocabulary, r: number): string {
  return v.pool[Math.floor(r * POOL_SIZE)] ?? '的';
}

function draw(v: Vocabulary, r: number): string {
  let lo = 0;
  let hi = v.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((v.cumulative[mid] ?? 1) < r) lo = mid + 1;
    else hi = mid;
  }
  return v.words[lo] ?? '的';
}

export interface CorpusItem {
  record: FeedRecord;
  text: string;
}

/** Item `n` of the corpus (the same on every call). */
export function corpusItem(v: Vocabulary, n: number): CorpusItem {
  const random = rng(n * 7919 + 17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  let f = 0;
  for (let r = random(), acc = 0; f < FONDS.length - 1; f++) if (r < (acc += FONDS_WEIGHTS[f] ?? 0)) break;
  const fonds = FONDS[f] as string;
  const year = 2000 + Math.floor(random() * 24);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  const retention = pick(RETENTIONS);
  const itemNo = String(n % 10_000).padStart(4, '0');
  const agency = pick(AGENCIES);
  const title = `关于${sample(v, random())}${sample(v, random())}${random() < 0.5 ? sample(v, random()) : ''}的${pick(SUFFIXES)}`;
  // 1–5 KB of UTF-8: 340–1,700 Han characters.
  const targetChars = 340 + Math.floor(random() * 1360);
  const planted = PLANTED.filter((p) => random() < p.p).map((p) => p.text);
  const clauses: string[] = [];
  let chars = 0;
  while (chars < targetChars) {
    const words = 4 + Math.floor(random() * 10);
    let clause = '';
    for (let i = 0; i < words; i++) clause += sample(v, random());
    if (planted.length > 0 && random() < 0.3) clause += planted.pop();
    clauses.push(clause);
    chars += clause.length + 1;
  }
  // Planted terms not yet placed go at the end of a clause of their own.
  for (const p of planted) clauses.push(`${sample(v, random())}${p}`);
  let text = '';
  clauses.forEach((c, i) => (text += c + (i % 3 === 2 ? '。' : '，')));
  const date = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const id = `bench-${String(n).padStart(8, '0')}`;
  return {
    text,
    record: {
      id,
      fondsId: fonds,
      categoryId: 'WS',
      agencyId: agency,
      volumeId: null,
      classification: '非密',
      control: null,
      openness: random() < 0.8 ? '开放' : '控制',
      year,
      retention,
      date,
      archivalCode: `${fonds}-WS·${year}-${retention}-${itemNo}`,
      title,
      responsible: `演示${agency}`,
      docNumber: `演${agency.slice(1, 3)}〔${year}〕${1 + (n % 300)}号`,
      other: '',
      files: [{ id: `${id}-f1`, name: `${itemNo}.pdf`, mime: 'application/pdf', sha256: '', size: text.length * 3, position: 1 }],
    },
  };
}
