/**
 * Writing a planned volume (`lantai media write`): a folder `<out>/<label>/` that is
 * a BagIt bag of the volume's records (bag.ts: data/<档号>/<original names>, the
 * SHA-256 and SM3 manifests, each record's da46.xml and premis.xml, every byte
 * checked against the digests kept at accession on its way out), with the volume's
 * catalogue and readme (media-catalog.ts), and, when asked, the ISO image
 * `<out>/<label>.iso` (media-iso.ts). A volume that no longer fits its capacity once
 * written is taken back.
 *
 * As with BagIt exports, the write is audited before a byte leaves
 * (`preservation.media.write`), and audited as failed when it fails; once it is
 * done, the register notes the volume written — when, by whom, the path of every
 * file, the image's SHA-256 — audited as `preservation.media.register`. The records
 * go out through the writer's Viewer: a planned record they may not see with its
 * content stops the volume rather than leave a gap in it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../platform/db/database.js';
import type { BlobStore } from '../../platform/storage/blob-store.js';
import { auditedCommand } from '../accounts/audited-command.js';
import { findArchive } from '../accounts/organisations.js';
import type { Actor, AuditSink } from '../accounts/service.js';
import type { Viewer } from '../accounts/viewer.js';
import type { RecordRef } from '../catalog/record-exports.js';
import type { CatalogService } from '../catalog/service.js';
import { formatBytes } from '../transfer/cli-progress.js';
import { writeBag, type BagProgress, type BagRecord } from './bag.js';
import { emptyOutFolder, folderBag } from './bag-folder.js';
import { onDisc, SECTOR, VOLUME_RESERVE } from './media-capacity.js';
import { CATALOG_XLSX, CATALOG_XML, catalogXlsx, catalogXml, README, readme, type VolumeEntry, type VolumeFacts } from './media-catalog.js';
import { mediaErrors } from './media-errors.js';
import { imageSha256, makeIso } from './media-iso.js';
import { requireArchivist } from './media-register.js';
import * as repo from './media-repo.js';
import { volumeSink } from './media-volume-sink.js';
import type { PreservationService } from './service.js';

export const MEDIA_WRITE_ACTION = 'preservation.media.write';
export const MEDIA_REGISTER_ACTION = 'preservation.media.register';
const PAGE = 100;

export interface MediaWriteDeps {
  db: Db;
  audit: AuditSink;
  catalog: Pick<CatalogService, 'contentRecords' | 'describeRecords'>;
  preservation: Pick<PreservationService, 'filesOf' | 'timelines'>;
  files: Pick<BlobStore, 'get'>;
  version: string;
}

export interface WrittenVolume {
  id: string;
  label: string;
  folder: string;
  iso: { path: string; sha256: string; size: number } | null;
  records: number;
  files: number;
  bytes: number;
}

interface VolumeWrite {
  volume: repo.MediaVolumeRow;
  planned: repo.MediaVolumeFileRow[];
  refs: RecordRef[];
  facts: VolumeFacts;
  /** The archivist writing it. */
  userId: string;
}

/** Bytes a written folder takes on a disc: its files in whole sectors, a sector per folder in each of the two trees, and the volume's fixed part. */
async function footprint(dir: string): Promise<number> {
  const tree = async (folder: string): Promise<number> => {
    let bytes = 0;
    for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
      const p = path.join(folder, entry.name);
      bytes += entry.isDirectory() ? 2 * SECTOR + (await tree(p)) : onDisc((await fs.stat(p)).size);
    }
    return bytes;
  };
  return VOLUME_RESERVE + (await tree(dir));
}

export function createMediaWriter(deps: MediaWriteDeps) {
  const { db, audit, catalog, preservation } = deps;
  const software = `Lantai ${deps.version}`;

  /** Checks the writer and the volume, and audits the write before a byte leaves. */
  async function begin(actor: Actor, viewer: Viewer, volume: repo.MediaVolumeRow, out: string, iso: boolean): Promise<VolumeWrite> {
    return auditedCommand({ db, audit }, actor, MEDIA_WRITE_ACTION, { type: 'media_volume', id: volume.id, label: volume.label }, async (tx) => {
      const userId = requireArchivist(actor, '写出离线介质 / write offline media');
      const planned = await repo.volumeFiles(tx, volume.id);
      const recordIds = [...new Set(planned.map((f) => f.record_id))];
      const refs = await catalog.contentRecords(tx, viewer, { recordIds });
      const seen = new Set(refs.map((r) => r.id));
      const hidden = recordIds.find((id) => !seen.has(id));
      if (hidden) throw mediaErrors.MEDIA_RECORD_UNAVAILABLE({ label: volume.label, record: hidden });
      const set = await repo.volumesLabelled(tx, volume.set_label);
      const archive = await findArchive(tx);
      await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: MEDIA_WRITE_ACTION, target: { type: 'media_volume', id: volume.id, label: volume.label }, result: 'ok', details: { out, iso, records: recordIds.length, files: planned.length, bytes: Number(volume.bytes) } });
      const facts = { label: volume.label, set: volume.set_label, position: volume.position, setSize: set.length, archiveName: archive?.name ?? 'Lantai', software, writtenAt: new Date().toISOString() };
      return { volume, planned, refs, facts, userId };
    });
  }

  /** The volume's records a page at a time, read again through the Viewer, each with exactly its planned files. */
  async function* records(w: VolumeWrite, viewer: Viewer, expect: (d: BagRecord['description'], files: BagRecord['files']) => void): AsyncGenerator<BagRecord> {
    const plannedIds = new Set(w.planned.map((f) => f.file_id));
    const plannedPerRecord = new Map<string, number>();
    for (const f of w.planned) plannedPerRecord.set(f.record_id, (plannedPerRecord.get(f.record_id) ?? 0) + 1);
    for (let i = 0; i < w.refs.length; i += PAGE) {
      const page = w.refs.slice(i, i + PAGE).map((r) => r.id);
      const descriptions = await catalog.describeRecords(db, viewer, page);
      if (descriptions.length !== page.length) throw mediaErrors.MEDIA_RECORD_UNAVAILABLE({ label: w.volume.label, record: page.find((id) => !descriptions.some((d) => d.id === id)) ?? '' });
      const kept = await preservation.filesOf(db, page);
      const events = await preservation.timelines(db, page);
      for (const d of descriptions) {
        const files = (kept.get(d.id) ?? []).filter((f) => plannedIds.has(f.id));
        if (files.length !== plannedPerRecord.get(d.id)) throw mediaErrors.MEDIA_RECORD_UNAVAILABLE({ label: w.volume.label, record: d.archivalCode ?? d.id });
        expect(d, files);
        yield { description: d, files, events: events.get(d.id) ?? [] };
      }
    }
  }

  async function write(w: VolumeWrite, actor: Actor, viewer: Viewer, out: string, withIso: boolean, progress?: BagProgress): Promise<WrittenVolume> {
    const { volume, facts } = w;
    const folder = await emptyOutFolder(path.join(out, volume.label));
    const isoPath = withIso ? path.join(out, `${volume.label}.iso`) : null;
    const volumeTags = async (entries: readonly VolumeEntry[]) => [
      [CATALOG_XML, Buffer.from(catalogXml(facts, entries), 'utf8')] as const,
      [CATALOG_XLSX, await catalogXlsx(facts, entries)] as const,
      [README, Buffer.from(readme(facts, entries), 'utf8')] as const,
    ];
    const sink = volumeSink(folderBag(folder), volumeTags);
    const info = [
      ['External-Identifier', volume.label],
      ['External-Description', `${facts.archiveName}离线介质 ${volume.label}（${volume.set_label} 第 ${volume.position} 卷，共 ${facts.setSize} 卷）`],
      ['Bag-Group-Identifier', volume.set_label],
      ['Bag-Count', `${volume.position} of ${facts.setSize}`],
      ['Lantai-Media-Volume-Id', volume.id],
    ] as const;
    try {
      const totals = await writeBag(
        { layout: 'records', info: [...info], software, archiveName: facts.archiveName, records: records(w, viewer, sink.expect), open: (sha256) => deps.files.get(sha256) },
        sink.sink,
        progress,
      );
      const placed = sink.entries.flatMap((e) => e.files.map((f) => ({ volume_id: volume.id, file_id: f.file.id, record_id: e.description.id, sha256: f.file.sha256, sm3: f.file.sm3, size: Number(f.file.size), path: f.path })));
      if (volume.status === 'written') {
        const before = new Map(w.planned.map((f) => [f.file_id, f.path]));
        const moved = placed.find((f) => before.get(f.file_id) !== f.path);
        if (moved) throw mediaErrors.MEDIA_VOLUME_PATHS_CHANGED({ label: volume.label, path: moved.path });
      }
      let iso: WrittenVolume['iso'] = null;
      let size = await footprint(folder);
      if (isoPath) {
        await makeIso(folder, isoPath, volume.label);
        iso = { path: isoPath, ...(await imageSha256(isoPath, { sync: true })) };
        size = iso.size;
      }
      if (size > Number(volume.capacity)) throw mediaErrors.MEDIA_VOLUME_OVERFULL({ label: volume.label, size: formatBytes(size), capacity: formatBytes(Number(volume.capacity)) });
      await db.transaction().execute(async (tx) => {
        await repo.markWritten(tx, volume.id, { at: facts.writtenAt, by: w.userId, isoSha256: iso?.sha256 ?? null }, placed);
        await audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: MEDIA_REGISTER_ACTION, target: { type: 'media_volume', id: volume.id, label: volume.label }, result: 'ok', details: { status: 'written', records: totals.records, files: totals.files, bytes: totals.bytes, isoSha256: iso?.sha256 ?? null } });
      });
      return { id: volume.id, label: volume.label, folder, iso, ...totals };
    } catch (err) {
      // writeBag takes back what it wrote when it fails itself; a failure after it leaves a whole volume to remove.
      await fs.rm(folder, { recursive: true, force: true });
      if (isoPath) await fs.rm(isoPath, { force: true });
      const reason = (err as { code?: unknown }).code;
      await db.transaction().execute((tx) =>
        audit.append(tx, { actor: { ...actor, roles: [...actor.roles] }, action: MEDIA_WRITE_ACTION, target: { type: 'media_volume', id: volume.id, label: volume.label }, result: 'failed', reason: typeof reason === 'string' ? reason : (err as Error).message.slice(0, 200), details: { out } }),
      );
      throw err;
    }
  }

  return {
    /** Writes one volume into `out` (a folder, and the ISO image with `iso`); archivists only, audited. */
    async writeVolume(actor: Actor, viewer: Viewer, volume: repo.MediaVolumeRow, out: string, options: { iso: boolean; progress?: BagProgress }): Promise<WrittenVolume> {
      const w = await begin(actor, viewer, volume, out, options.iso);
      return write(w, actor, viewer, out, options.iso, options.progress);
    },

    /** The volume with this label, or the volumes of the set with this label; MEDIA_VOLUME_NOT_FOUND otherwise. */
    async volumes(label: string): Promise<repo.MediaVolumeRow[]> {
      const found = await repo.volumesLabelled(db, label);
      if (found.length === 0) throw mediaErrors.MEDIA_VOLUME_NOT_FOUND({ label });
      return found;
    },
  };
}

export type MediaWriter = ReturnType<typeof createMediaWriter>;
