/**
 * Plain text files, in whatever encoding their bytes show (UTF-8 with or without a BOM,
 * UTF-16 with a BOM, else GB18030: see text-decoding.ts). The text has no pages of its
 * own; extract.ts cuts it into numbered parts of about 8,000 characters.
 */
import { PageCollector } from './page-text.js';
import { ownReader, type ReaderContext, type ReaderResult } from './reader.js';
import { decodeTextFile } from './text-decoding.js';

const READER = ownReader('txt', 1);

export async function readPlainText(file: string, context: ReaderContext): Promise<ReaderResult> {
  let pages = new PageCollector(context.maxChars, 1);
  await decodeTextFile(
    file,
    () => {
      pages = new PageCollector(context.maxChars, 1);
      const collector = pages;
      return {
        write: (text) => collector.add(text),
        get stop() {
          return collector.full;
        },
        end: () => undefined,
      };
    },
    { signal: context.signal },
  );
  return { pages: pages.pages().map((text) => ({ page: 1, text, method: 'plain' })), ...READER, ocrPages: 0, truncated: pages.full };
}
