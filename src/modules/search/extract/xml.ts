/**
 * XML documents (descriptions, EEP metadata, exported catalogues) to text: every text
 * node and CDATA section, one element's text to a line. Attributes are left out.
 *
 * No entity is ever expanded or fetched (see xml-stream.ts): a billion-laughs file gives
 * its literal text and an XXE reference stays a reference. A text node made only of
 * base64 (a file embedded in the XML, as DA/T 48 packages carry) is not text and is left
 * out. The encoding is the declaration's, else worked out from the bytes (text-decoding.ts).
 */
import { PageCollector } from './page-text.js';
import { ownReader, type ReaderContext, type ReaderResult } from './reader.js';
import { decodeTextFile, readHead } from './text-decoding.js';
import { createXmlFeeder, xmlDeclaredEncoding } from './xml-stream.js';

const READER = ownReader('xml', 1);
/** Shorter runs of base64-looking characters are words or codes, worth keeping. */
const MIN_BLOB_CHARS = 1024;

function isBase64Blob(text: string): boolean {
  // Only the base64 alphabet, in lines longer than any word.
  return text.length >= MIN_BLOB_CHARS && /^[A-Za-z0-9+/=\s]+$/.test(text) && /[A-Za-z0-9+/=]{60}/.test(text);
}

export async function readXml(file: string, context: ReaderContext): Promise<ReaderResult> {
  const declared = xmlDeclaredEncoding(await readHead(file, 256));
  let pages = new PageCollector(context.maxChars, 1);
  await decodeTextFile(
    file,
    () => {
      pages = new PageCollector(context.maxChars, 1);
      const collector = pages;
      let pending = '';
      const flush = () => {
        if (!isBase64Blob(pending)) collector.add(pending);
        pending = '';
      };
      const feeder = createXmlFeeder(
        {
          text(text) {
            // Text between the tags of one element arrives as one node; keep it whole until the next tag to judge it.
            pending += text;
          },
          open: flush,
          close() {
            flush();
            collector.add('\n');
          },
        },
        'the XML document',
      );
      return {
        write: (text) => feeder.write(text),
        get stop() {
          return collector.full;
        },
        end() {
          flush();
          feeder.end();
        },
      };
    },
    { declared, signal: context.signal },
  );
  return { pages: pages.pages().map((text) => ({ page: 1, text, method: 'markup' })), ...READER, ocrPages: 0, truncated: pages.full };
}
