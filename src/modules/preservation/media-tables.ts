/** Tables of the offline media library (离线介质): the volumes (光盘/蓝光) and which kept file is on which. */

export type MediaVolumeStatus = 'planned' | 'written';
export type MediaVerifyResult = 'ok' | 'failed';

export interface MediaVolumesTable {
  id: string;
  /** `<archive code or LANTAI>-<year>-<seq>`, also the ISO volume id. */
  label: string;
  /** The volumes planned together (`<prefix>-<year>-S<nn>`); "set" itself is an SQL keyword. */
  set_label: string;
  /** 1-based place of the volume in its set. */
  position: number;
  /** Bytes the disc holds (LANTAI_MEDIA_CAPACITY when planned). */
  capacity: number;
  /** Payload bytes, files and records on the volume. */
  bytes: number;
  files: number;
  records: number;
  status: string;
  planned_at: string;
  planned_by: string;
  written_at: string | null;
  written_by: string | null;
  /** Where the disc is kept (档案库房 3 号柜). */
  location: string | null;
  /** SHA-256 of the ISO image, when one was made. */
  iso_sha256: string | null;
  last_verified_at: string | null;
  last_verify_result: string | null;
  /** JSON: what the last verification found (counts, the first findings, what was read). */
  last_verify_details: string | null;
}

export interface MediaVolumeFilesTable {
  volume_id: string;
  /** The kept file (preservation_files.id, the catalog's record_files id). */
  file_id: string;
  record_id: string;
  sha256: string;
  sm3: string;
  size: number;
  /** Path on the volume (`data/<档号>/<name>`), known once the volume is written. */
  path: string | null;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    media_volumes: MediaVolumesTable;
    media_volume_files: MediaVolumeFilesTable;
  }
}
