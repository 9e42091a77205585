/**
 * Open Packaging Conventions (ECMA-376 Part 2), as far as DOCX and XLSX need them: a
 * part's relationships, and the package's main part (the officeDocument relationship of
 * `_rels/.rels`), so a document whose parts are not at the usual paths is read too.
 */
import path from 'node:path';
import { attribute } from './xml-stream.js';
import { parsePart, resolvePart, type ZipReader } from './zip-reader.js';

export interface Relationship {
  id: string;
  /** The relationship type URI; its last segment says what the target is ('worksheet', 'officeDocument'). */
  type: string;
  /** The target's path inside the package. */
  target: string;
}

/** Where the relationships of `part` are kept ('' for the package's own). */
function relationshipsPart(part: string): string {
  return part === '' ? '_rels/.rels' : path.posix.join(path.posix.dirname(part), '_rels', `${path.posix.basename(part)}.rels`);
}

/** The internal relationships of `part` ('' for the package), in document order; none when it has no .rels part. */
export async function relationshipsOf(zip: ZipReader, part: string, signal: AbortSignal | undefined): Promise<Relationship[]> {
  const rels = relationshipsPart(part);
  if (!zip.has(rels)) return [];
  const found: Relationship[] = [];
  await parsePart(
    zip,
    rels,
    {
      open(local, attributes) {
        if (local !== 'Relationship' || attribute(attributes, 'TargetMode') === 'External') return;
        const id = attribute(attributes, 'Id');
        const target = attribute(attributes, 'Target');
        if (id && target) found.push({ id, type: attribute(attributes, 'Type') ?? '', target: resolvePart(part === '' ? '/' : part, target) });
      },
    },
    { signal },
  );
  return found;
}

/** The package's main part (word/document.xml, xl/workbook.xml), from its relationships or else the usual path. */
export async function mainPart(zip: ZipReader, usual: string, signal: AbortSignal | undefined): Promise<string> {
  const rels = await relationshipsOf(zip, '', signal);
  const main = rels.find((r) => r.type.endsWith('/officeDocument') && zip.has(r.target));
  return main?.target ?? usual;
}
