/**
 * BagIt (RFC 8493; also v0.97): reads a bag's declaration, its bag-info.txt and
 * payload and tag manifests of any listed algorithm, from files already staged
 * and hashed. fetch.txt is refused: a hand-over brings its bytes, it does not
 * point at them. What the bag declares becomes the files' declared digests; the
 * fixity check compares them with what was received.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export const BAG_ALGORITHMS = ['sha256', 'sha512', 'sha1', 'md5', 'sm3'] as const;
export type BagAlgorithm = (typeof BAG_ALGORITHMS)[number];

export interface StagedEntry {
  /** Path inside the package, posix. */
  path: string;
  stagedPath: string;
  size: number;
  sha256: string;
  sm3: string;
}

export interface Bag {
  /** Folder of the bag inside the package ('' when bagit.txt is at the root). */
  root: string;
  version: string;
  info: Array<[string, string]>;
  /** Per algorithm, payload path (relative to data/) → declared digest. */
  manifests: Map<BagAlgorithm, Map<string, string>>;
  tagManifests: Map<BagAlgorithm, Map<string, string>>;
  payload: StagedEntry[];
  problems: Array<{ zh: string; en: string }>;
}

export class BagRefused extends Error {
  constructor(readonly zh: string, readonly en: string) {
    super(en);
  }
}

async function text(entry: StagedEntry): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of createReadStream(entry.stagedPath)) {
    size += (chunk as Buffer).length;
    // Tag files are small; a huge one is not a tag file.
    if (size > 64 * 1024 * 1024) throw new BagRefused(`${entry.path} 过大`, `${entry.path} is too large for a tag file`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
}

/** RFC 8493 §2.1.3: percent-encoded CR, LF and % in manifest paths. */
function decodeManifestPath(p: string): string {
  return p.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function parseManifest(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of body.split(/\r\n|\n|\r/)) {
    if (line.trim() === '') continue;
    const m = /^([0-9a-fA-F]+)\s+(.+)$/.exec(line);
    if (m?.[1] && m[2]) out.set(decodeManifestPath(m[2].replace(/^\*/, '')), m[1].toLowerCase());
  }
  return out;
}

/** Finds a bag among staged entries: bagit.txt at the root, or inside one top-level folder. */
export function findBagRoot(entries: readonly StagedEntry[]): string | null {
  if (entries.some((e) => e.path === 'bagit.txt')) return '';
  const nested = entries.filter((e) => /^[^/]+\/bagit\.txt$/.test(e.path));
  return nested.length === 1 ? (nested[0]?.path.split('/')[0] ?? null) : null;
}

export async function readBag(entries: readonly StagedEntry[], root: string): Promise<Bag> {
  const prefix = root === '' ? '' : `${root}/`;
  const at = (name: string) => entries.find((e) => e.path === `${prefix}${name}`);
  const declaration = at('bagit.txt');
  if (!declaration) throw new BagRefused('缺少 bagit.txt', 'bagit.txt is missing');
  const decl = Object.fromEntries((await text(declaration)).split(/\r?\n/).filter(Boolean).map((l) => l.split(/:\s*/, 2) as [string, string]));
  const version = decl['BagIt-Version'] ?? '';
  if (!['0.97', '1.0'].includes(version)) throw new BagRefused(`不支持的 BagIt 版本“${version}”（支持 0.97 和 1.0）`, `unsupported BagIt version "${version}" (0.97 and 1.0 are)`);
  if ((decl['Tag-File-Character-Encoding'] ?? '').toUpperCase() !== 'UTF-8') throw new BagRefused('标签文件编码须为 UTF-8', 'tag files must be UTF-8');
  if (at('fetch.txt')) throw new BagRefused('包中含 fetch.txt：移交须包含全部文件，不能引用网络地址', 'fetch.txt is refused: a hand-over must carry its files, not point at them');

  const info: Array<[string, string]> = [];
  const infoFile = at('bag-info.txt');
  if (infoFile) {
    for (const line of (await text(infoFile)).split(/\r?\n/)) {
      if (/^\s/.test(line) && info.length > 0) {
        const last = info[info.length - 1] as [string, string];
        last[1] += ` ${line.trim()}`;
      } else if (line.includes(':')) {
        const i = line.indexOf(':');
        info.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
      }
    }
  }
  const manifests = new Map<BagAlgorithm, Map<string, string>>();
  const tagManifests = new Map<BagAlgorithm, Map<string, string>>();
  for (const alg of BAG_ALGORITHMS) {
    const m = at(`manifest-${alg}.txt`);
    if (m) manifests.set(alg, new Map([...parseManifest(await text(m))].map(([p, d]) => [p.replace(/^data\//, ''), d])));
    const t = at(`tagmanifest-${alg}.txt`);
    if (t) tagManifests.set(alg, parseManifest(await text(t)));
  }
  if (manifests.size === 0) throw new BagRefused('缺少载荷清单（manifest-<算法>.txt）', 'no payload manifest (manifest-<algorithm>.txt)');
  const payload = entries.filter((e) => e.path.startsWith(`${prefix}data/`)).map((e) => ({ ...e, path: e.path.slice(`${prefix}data/`.length) }));
  const problems: Bag['problems'] = [];
  const some = (list: string[]) => `${list.slice(0, 5).join('、')}${list.length > 5 ? ` 等 ${list.length} 个` : ''}`;
  const oxum = info.find(([k]) => k === 'Payload-Oxum')?.[1];
  if (oxum) {
    const [octets, streams] = oxum.split('.').map(Number);
    const actual = payload.reduce((n, e) => n + e.size, 0);
    if (octets !== actual || streams !== payload.length) problems.push({ zh: `Payload-Oxum 声明 ${oxum}，实际 ${actual}.${payload.length}`, en: `Payload-Oxum says ${oxum}, found ${actual}.${payload.length}` });
  }
  // Complete (RFC 8493 §3): every payload file in every manifest, and every manifest entry present.
  const present = new Set(payload.map((e) => e.path));
  for (const [alg, manifest] of manifests) {
    const missing = [...manifest.keys()].filter((p) => !present.has(p));
    if (missing.length > 0) problems.push({ zh: `manifest-${alg}.txt 列出的文件不在包中：${some(missing)}`, en: `files listed in manifest-${alg}.txt are missing: ${missing.slice(0, 5).join(', ')}` });
    const unlisted = payload.map((e) => e.path).filter((p) => !manifest.has(p));
    if (unlisted.length > 0) problems.push({ zh: `包中的文件未列入 manifest-${alg}.txt：${some(unlisted)}`, en: `payload files not in manifest-${alg}.txt: ${unlisted.slice(0, 5).join(', ')}` });
  }
  // Valid (§3): every tag file a tag manifest lists has the digest it gives (the metadata describing the records among them).
  for (const [alg, manifest] of tagManifests) {
    const wrong: string[] = [];
    for (const [name, digest] of manifest) {
      const entry = at(name);
      if (!entry) {
        wrong.push(`${name}（缺失）`);
        continue;
      }
      const actual = alg === 'sha256' ? entry.sha256 : alg === 'sm3' ? entry.sm3 : await digestFile(entry.stagedPath, alg);
      if (actual !== digest) wrong.push(name);
    }
    if (wrong.length > 0) problems.push({ zh: `标签文件与 tagmanifest-${alg}.txt 的摘要值不符：${some(wrong)}`, en: `tag files do not match tagmanifest-${alg}.txt: ${wrong.slice(0, 5).join(', ')}` });
  }
  return { root, version, info, manifests, tagManifests, payload, problems };
}

/** Digest of a staged file in an algorithm the receipt did not compute (md5, sha1, sha512). */
export async function digestFile(file: string, alg: Exclude<BagAlgorithm, 'sha256' | 'sm3'>): Promise<string> {
  const hash = createHash(alg);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
