/**
 * Verifying an offline volume read back, perhaps years later (`lantai media verify`):
 * a folder (a mounted disc, or a volume folder as written) or an ISO image, which is
 * extracted with xorriso into a temporary folder first (no mount, no root; it needs
 * room for the volume's bytes there). Every payload file's SHA-256 and SM3 are
 * recomputed and held against both the volume's own manifests and what the register
 * says is on that volume: files missing, files that should not be there, files
 * changed; the tag files (catalogue, readme, metadata) against the tag manifests.
 * The result is recorded against the volume's register row and audited
 * (`preservation.media.verify`, details.outcome ok or failed), as `audit-log verify` does.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../platform/db/database.js';
import { digestFile } from '../../platform/storage/file-digest.js';
import { auditedCommand } from '../accounts/audited-command.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import { mediaErrors } from './media-errors.js';
import { extractIso, imageSha256, removeExtracted } from './media-iso.js';
import { requireArchivist } from './media-register.js';
import * as repo from './media-repo.js';

export const MEDIA_VERIFY_ACTION = 'preservation.media.verify';
/** Findings kept in the register row and the audit entry; the report printed has them all. */
const KEPT_FINDINGS = 200;

/**
 * - missing: the register or a manifest puts a file there and it is not;
 * - extra: a file neither the register nor the manifests know;
 * - changed: its bytes differ from what the register or a manifest says;
 * - unlisted: the register and the manifests disagree about a file that is there (a manifest was edited);
 * - tag: a tag file (catalogue, readme, metadata, bag-info) missing, changed or unknown to the tag manifests.
 */
export type FindingKind = 'missing' | 'extra' | 'changed' | 'unlisted' | 'tag';

export interface MediaFinding {
  kind: FindingKind;
  path: string;
  zh: string;
  en: string;
}

export interface MediaVerification {
  volumeId: string;
  label: string;
  source: { kind: 'folder' | 'iso'; path: string };
  outcome: 'ok' | 'failed';
  at: string;
  files: number;
  bytes: number;
  counts: Record<FindingKind, number>;
  findings: MediaFinding[];
  /** For an image: whether it is, byte for byte, the image registered when the volume was written (null: none was registered). */
  isoMatches: boolean | null;
}

export interface VerifyProgress {
  /** The payload's bytes, once the volume's files are listed. */
  begin(total: number): void;
  /** Bytes digested so far, after `name`. */
  advance(name: string, done: number): void;
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** RFC 8493 §2.1.3, read side. */
const decodePath = (p: string) => p.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');

/** A manifest as path → digest; null when the file is not there. */
async function readManifest(dir: string, name: string): Promise<Map<string, string> | null> {
  const text = await fs.readFile(path.join(dir, name), 'utf8').catch(() => null);
  if (text === null) return null;
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]+)\s+\*?(.+)$/.exec(line);
    if (match) out.set(decodePath(match[2] as string), (match[1] as string).toLowerCase());
  }
  return out;
}

/** The volume a folder says it is (bag-info.txt's Lantai-Media-Volume-Id). */
async function volumeIdOf(dir: string, where: string): Promise<string> {
  const info = await fs.readFile(path.join(dir, 'bag-info.txt'), 'utf8').catch(() => '');
  const line = info.split(/\r?\n/).find((l) => l.startsWith('Lantai-Media-Volume-Id:'));
  const id = line?.slice('Lantai-Media-Volume-Id:'.length).trim();
  if (!id) throw mediaErrors.MEDIA_NOT_A_VOLUME({ where });
  return id;
}

/** Recomputes everything on a volume folder and holds it against its manifests and the register row. */
async function checkFolder(dir: string, expected: ReadonlyMap<string, repo.MediaVolumeFileRow>, progress?: VerifyProgress): Promise<{ findings: MediaFinding[]; files: number; bytes: number }> {
  const findings: MediaFinding[] = [];
  const add = (kind: FindingKind, p: string, zh: string, en: string) => findings.push({ kind, path: p, zh, en });
  const present = (await walk(dir)).sort();
  const onVolume = new Set(present);
  const payload = present.filter((p) => p.startsWith('data/'));
  const manifests = { sha256: await readManifest(dir, 'manifest-sha256.txt'), sm3: await readManifest(dir, 'manifest-sm3.txt') };
  for (const name of ['manifest-sha256.txt', 'manifest-sm3.txt'] as const) if (!onVolume.has(name)) add('tag', name, '清单文件缺失', 'manifest missing');

  const sizes = new Map<string, number>();
  for (const p of payload) sizes.set(p, (await fs.stat(path.join(dir, p))).size);
  const total = [...sizes.values()].reduce((n, s) => n + s, 0);
  progress?.begin(total);
  let done = 0;
  for (const p of payload) {
    const actual = await digestFile(path.join(dir, p), sizes.get(p));
    done += actual.size;
    progress?.advance(p, done);
    const registered = expected.get(p);
    const listed = { sha256: manifests.sha256?.get(p), sm3: manifests.sm3?.get(p) };
    if (!registered && listed.sha256 === undefined && listed.sm3 === undefined) {
      add('extra', p, '多出的文件：登记簿和清单中都没有', 'extra file: neither the register nor the manifests list it');
      continue;
    }
    const wrong: Array<readonly [string, string]> = [];
    if (registered && (registered.sha256 !== actual.sha256 || registered.sm3 !== actual.sm3 || Number(registered.size) !== actual.size)) wrong.push(['登记簿', 'the register']);
    if (listed.sha256 !== undefined && listed.sha256 !== actual.sha256) wrong.push(['manifest-sha256.txt', 'manifest-sha256.txt']);
    if (listed.sm3 !== undefined && listed.sm3 !== actual.sm3) wrong.push(['manifest-sm3.txt', 'manifest-sm3.txt']);
    if (wrong.length > 0) {
      add('changed', p, `内容已改变：摘要与${wrong.map(([zh]) => zh).join('、')}不符`, `changed: its digests do not match ${wrong.map(([, en]) => en).join(', ')}`);
      continue;
    }
    if (!registered) add('unlisted', p, '登记簿中该卷没有这个文件，但清单列出了它', 'the manifests list it but the register does not put it on this volume');
    else if (listed.sha256 === undefined || listed.sm3 === undefined) add('unlisted', p, '文件完好，但清单中缺少它', 'intact, but a manifest does not list it');
  }
  const missing = new Set<string>([...expected.keys(), ...(manifests.sha256?.keys() ?? []), ...(manifests.sm3?.keys() ?? [])]);
  for (const p of [...missing].sort()) if (!onVolume.has(p)) add('missing', p, expected.has(p) ? '文件缺失（登记簿记载在本卷上）' : '文件缺失（清单列出）', expected.has(p) ? 'missing: the register puts it on this volume' : 'missing: a manifest lists it');

  // Tag files: every one against each tag manifest; none unknown to them.
  const tagManifests = ['tagmanifest-sha256.txt', 'tagmanifest-sm3.txt'] as const;
  const listedTags = new Set<string>();
  for (const name of tagManifests) {
    const manifest = await readManifest(dir, name);
    if (!manifest) {
      add('tag', name, '标签清单缺失', 'tag manifest missing');
      continue;
    }
    const algorithm = name === 'tagmanifest-sha256.txt' ? 'sha256' : 'sm3';
    for (const [p, digest] of manifest) {
      listedTags.add(p);
      if (!onVolume.has(p)) add('tag', p, `标签文件缺失（${name} 列出）`, `tag file missing (listed in ${name})`);
      else if ((await digestFile(path.join(dir, p)))[algorithm] !== digest) add('tag', p, `标签文件已改变（与 ${name} 不符）`, `tag file changed (does not match ${name})`);
    }
  }
  const tags = present.filter((p) => !p.startsWith('data/') && !(tagManifests as readonly string[]).includes(p));
  for (const p of tags) if (!listedTags.has(p)) add('tag', p, '多出的标签文件：标签清单中没有', 'extra tag file: no tag manifest lists it');
  return { findings: findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), files: payload.length, bytes: total };
}

export function createMediaVerifier(deps: { db: Db; audit: AuditSink }) {
  const { db, audit } = deps;

  async function verifyFolder(actor: Actor, dir: string, source: MediaVerification['source'], isoSha256: string | null, progress?: VerifyProgress): Promise<MediaVerification> {
    const volumeId = await volumeIdOf(dir, source.path);
    const volume = await repo.volumeById(db, volumeId);
    if (!volume) throw mediaErrors.MEDIA_VOLUME_NOT_FOUND({ label: volumeId });
    const expected = new Map((await repo.volumeFiles(db, volume.id)).flatMap((f) => (f.path ? [[f.path, f] as const] : [])));
    const checked = await checkFolder(dir, expected, progress);
    const counts: Record<FindingKind, number> = { missing: 0, extra: 0, changed: 0, unlisted: 0, tag: 0 };
    for (const f of checked.findings) counts[f.kind] += 1;
    const outcome = checked.findings.length === 0 ? 'ok' : 'failed';
    const at = new Date().toISOString();
    const isoMatches = isoSha256 === null || volume.iso_sha256 === null ? null : isoSha256 === volume.iso_sha256;
    const details = { source, files: checked.files, bytes: checked.bytes, counts, findings: checked.findings.slice(0, KEPT_FINDINGS), isoMatches };
    await db.transaction().execute(async (tx) => {
      await repo.recordVerification(tx, volume.id, { at, result: outcome, details });
      await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: MEDIA_VERIFY_ACTION, target: { type: 'media_volume', id: volume.id, label: volume.label }, result: 'ok', details: { outcome, source, files: checked.files, bytes: checked.bytes, counts } });
    });
    return { volumeId: volume.id, label: volume.label, source, outcome, at, files: checked.files, bytes: checked.bytes, counts, findings: checked.findings, isoMatches };
  }

  return {
    /**
     * Verifies a volume folder or ISO image and records the result; archivists only.
     * `tmpDir` holds an image's extracted files meanwhile (default: the system's).
     */
    async verify(actor: Actor, where: string, options: { tmpDir?: string; progress?: VerifyProgress } = {}): Promise<MediaVerification> {
      await auditedCommand({ db, audit }, actor, MEDIA_VERIFY_ACTION, { type: 'media_volume', id: null, label: where }, async () => requireArchivist(actor, '校验离线介质 / verify offline media'));
      const full = path.resolve(where);
      const stat = await fs.stat(full).catch(() => null);
      if (!stat) throw mediaErrors.MEDIA_VERIFY_SOURCE_MISSING({ where: full });
      if (stat.isDirectory()) return verifyFolder(actor, full, { kind: 'folder', path: full }, null, options.progress);
      const tmp = await fs.mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'lantai-media-verify-'));
      try {
        const into = path.join(tmp, 'volume');
        await extractIso(full, into);
        return await verifyFolder(actor, into, { kind: 'iso', path: full }, (await imageSha256(full)).sha256, options.progress);
      } finally {
        await removeExtracted(tmp);
      }
    },
  };
}

export type MediaVerifier = ReturnType<typeof createMediaVerifier>;
