/**
 * An independent BagIt reader for tests: bags are unpacked by Info-ZIP or GNU tar
 * and then checked by this file's own code (node:crypto, node:fs), which shares
 * nothing with the writer (bag.ts, bag-sinks.ts, bag-folder.ts): the declaration,
 * every payload file against manifest-sha256.txt and manifest-sm3.txt (recomputed,
 * and no file missing or unlisted on either side), every tag file against each tag
 * manifest, and the Payload-Oxum.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';

export interface CheckedBag {
  dir: string;
  /** bag-info.txt as [label, value] pairs, in order. */
  info: Array<[string, string]>;
  /** Payload paths, `data/…`, sorted. */
  payload: string[];
  /** Tag files (everything outside data/), sorted. */
  tags: string[];
  text(name: string): Promise<string>;
  digest(name: string, algorithm: 'sha256' | 'sm3'): Promise<string>;
  /** The values of a bag-info label. */
  values(label: string): string[];
}

/** Unpacks a zip or tar into a new folder under `work` with the system's own tools; returns the bag's folder (the one top-level folder). */
export async function unpackBag(archive: Buffer, kind: 'zip' | 'tar', work: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(work, `unpacked-${kind}-`));
  const file = path.join(dir, `bag.${kind}`);
  await fs.writeFile(file, archive);
  const into = path.join(dir, 'x');
  await fs.mkdir(into);
  if (kind === 'zip') execFileSync('unzip', ['-q', file, '-d', into]);
  else execFileSync('tar', ['-xf', file, '-C', into]);
  const top = await fs.readdir(into);
  expect(top, 'one top-level folder').toHaveLength(1);
  return path.join(into, top[0] as string);
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

async function hashFile(file: string, algorithm: string): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** RFC 8493 §2.1.3, read side: `%0D`, `%0A` and `%25` in a manifest path. */
const decode = (p: string) => p.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');

function parseManifest(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of body.split('\n')) {
    if (line === '') continue;
    const space = line.search(/\s/);
    expect(space, `manifest line "${line}"`).toBeGreaterThan(0);
    out.set(decode(line.slice(space).trim()), line.slice(0, space));
  }
  return out;
}

/** Checks a bag folder as RFC 8493 asks, recomputing every digest; fails the test on the first problem. */
export async function checkBag(dir: string): Promise<CheckedBag> {
  const text = (name: string) => fs.readFile(path.join(dir, name), 'utf8');
  const digest = (name: string, algorithm: 'sha256' | 'sm3') => hashFile(path.join(dir, name), algorithm);
  expect(await text('bagit.txt')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  const all = (await walk(dir)).sort();
  const payload = all.filter((p) => p.startsWith('data/'));
  const tags = all.filter((p) => !p.startsWith('data/'));
  expect((await fs.stat(path.join(dir, 'data'))).isDirectory()).toBe(true);

  for (const algorithm of ['sha256', 'sm3'] as const) {
    const manifest = parseManifest(await text(`manifest-${algorithm}.txt`));
    expect([...manifest.keys()].sort(), `manifest-${algorithm}.txt lists exactly the payload`).toEqual(payload);
    for (const p of payload) expect(await digest(p, algorithm), `${algorithm} of ${p}`).toBe(manifest.get(p));
  }
  const tagManifests = tags.filter((t) => /^tagmanifest-[a-z0-9]+\.txt$/.test(t));
  expect(tagManifests).toContain('tagmanifest-sha256.txt');
  for (const name of tagManifests) {
    const algorithm = name.slice('tagmanifest-'.length, -'.txt'.length);
    const manifest = parseManifest(await text(name));
    expect([...manifest.keys()].sort(), `${name} lists every tag file but the tag manifests`).toEqual(tags.filter((t) => !tagManifests.includes(t)));
    for (const [file, expected] of manifest) expect(await hashFile(path.join(dir, file), algorithm), `${algorithm} of ${file}`).toBe(expected);
  }

  const info: Array<[string, string]> = [];
  for (const line of (await text('bag-info.txt')).split('\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    expect(colon, `bag-info line "${line}"`).toBeGreaterThan(0);
    info.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const values = (label: string) => info.filter(([k]) => k === label).map(([, v]) => v);
  let octets = 0;
  for (const p of payload) octets += (await fs.stat(path.join(dir, p))).size;
  expect(values('Payload-Oxum')).toEqual([`${octets}.${payload.length}`]);
  return { dir, info, payload, tags, text, digest, values };
}
