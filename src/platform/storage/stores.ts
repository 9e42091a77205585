/**
 * Opens the named stores of LANTAI_STORES. The S3 client is loaded only when an
 * S3 store is configured, so the embedded default starts without it.
 */
import type { Config } from '../../config.js';
import type { BlobStore } from './blob-store.js';
import { createFolderStore } from './folder-store.js';

export interface Stores {
  primary: BlobStore;
  /** Every store by name, primary included. */
  all: ReadonlyMap<string, BlobStore>;
  close(): Promise<void>;
}

export async function openStores(config: Pick<Config, 'stores' | 's3'>): Promise<Stores> {
  const all = new Map<string, BlobStore>();
  for (const store of config.stores) {
    if (store.kind === 'folder') {
      all.set(store.name, await createFolderStore({ name: store.name, root: store.root }));
    } else {
      const { createS3Store } = await import('./s3-store.js');
      all.set(store.name, createS3Store({ name: store.name, bucket: store.bucket, prefix: store.prefix, s3: config.s3 }));
    }
  }
  const primary = all.get('primary');
  if (!primary) throw new Error('no primary store configured');
  return {
    primary,
    all,
    async close() {
      await Promise.all([...all.values()].map((s) => s.close()));
    },
  };
}
