/**
 * XML as a stream of events for the readers of XML-based formats (DOCX, XLSX, OFD and
 * plain XML), on saxes.
 *
 * saxes reads a DOCTYPE's internal subset but never expands the entities it declares and
 * never fetches external ones: a billion-laughs file or an XXE reference stays the literal
 * `&name;` it is written as. Such an undefined entity is the one error let through; any
 * other well-formedness error makes the file 'damaged'.
 *
 * Names are matched by their local part (`w:t` → `t`, `ofd:TextCode` → `TextCode`), without
 * namespace processing: the formats read here fix their vocabularies, and some producers
 * leave prefixes undeclared.
 */
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { ExtractionError } from './extraction-error.js';

export interface XmlHandlers {
  open?(local: string, attributes: Record<string, string>): void;
  close?(local: string): void;
  /** Character data and CDATA, entities decoded. */
  text?(text: string): void;
}

export interface XmlFeeder {
  write(text: string): void;
  /** Ends the document; throws 'damaged' if it was not well-formed. */
  end(): void;
}

/**
 * saxes holds a whole text node in memory until the next tag. A run this long without a
 * `<` is a blob (base64 embedded in XML, as DA/T 48 packages do), not text to index: the
 * rest of it is dropped before it reaches the parser.
 */
export const MAX_TEXT_RUN = 1024 * 1024;

export function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}

/** An attribute by its local name. */
export function attribute(attributes: Record<string, string>, local: string): string | undefined {
  for (const [name, value] of Object.entries(attributes)) if (localName(name) === local) return value;
  return undefined;
}

export function createXmlFeeder(handlers: XmlHandlers, what: string): XmlFeeder {
  const parser = new SaxesParser<{ xmlns: false }>({ xmlns: false });
  let failure: Error | null = null;
  let run = 0;
  parser.on('error', (err) => {
    if (!failure && !/undefined entity/i.test(err.message)) failure = err;
  });
  if (handlers.open) {
    const open = handlers.open;
    parser.on('opentag', (tag) => open(localName(tag.name), tag.attributes));
  }
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (tag) => close(localName(tag.name)));
  }
  if (handlers.text) {
    parser.on('text', handlers.text);
    parser.on('cdata', handlers.text);
  }
  const damaged = (err: Error) => new ExtractionError('damaged', `${what} is not well-formed XML: ${err.message}`, { cause: err });
  return {
    write(text) {
      if (failure) throw damaged(failure);
      const lt = text.lastIndexOf('<');
      let kept = text;
      if (lt < 0 && run + text.length > MAX_TEXT_RUN) {
        kept = text.slice(0, Math.max(0, MAX_TEXT_RUN - run));
      } else if (lt >= 0 && run + text.indexOf('<') > MAX_TEXT_RUN) {
        const first = text.indexOf('<');
        kept = text.slice(0, Math.max(0, MAX_TEXT_RUN - run)) + text.slice(first);
      }
      run = lt < 0 ? run + text.length : text.length - lt - 1;
      if (kept !== '') parser.write(kept);
    },
    end() {
      if (!failure) parser.close();
      if (failure) throw damaged(failure);
    },
  };
}

/** The encoding an XML declaration names in the first bytes, if any. */
export function xmlDeclaredEncoding(head: Buffer): string | null {
  const m = /^(?:\uFEFF)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head.subarray(0, 256).toString('latin1'));
  return m?.[1] ?? null;
}

/**
 * Parses one XML part read from a stream (a zip entry) in the encoding its declaration
 * names, UTF-8 by default; `stop` ends the reading early when the caller has enough.
 */
export async function parseXmlStream(source: Readable, handlers: XmlHandlers, options: { what: string; signal?: AbortSignal | undefined; stop?: () => boolean }): Promise<void> {
  const feeder = createXmlFeeder(handlers, options.what);
  let decoder: TextDecoder | null = null;
  try {
    for await (const chunk of source) {
      options.signal?.throwIfAborted();
      const bytes = chunk as Buffer;
      if (!decoder) {
        let label = 'utf-8';
        const declared = xmlDeclaredEncoding(bytes);
        try {
          if (declared) label = new TextDecoder(declared).encoding;
        } catch {
          // An encoding TextDecoder does not know: UTF-8, which the OOXML and OFD parts are anyway.
        }
        decoder = new TextDecoder(label);
      }
      feeder.write(decoder.decode(bytes, { stream: true }));
      if (options.stop?.()) return;
    }
    if (decoder) feeder.write(decoder.decode());
    feeder.end();
  } finally {
    source.destroy();
  }
}
