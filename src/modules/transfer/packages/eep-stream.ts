/**
 * Streams an XML file whose bulk is base64 text inside a few elements (a DA/T 48
 * EEP's 编码数据), in bounded memory whatever its size.
 *
 * saxes parses the markup; it never expands entities, and a DOCTYPE that declares
 * entities or names an external DTD is refused outright (billion laughs, XXE).
 * But saxes gathers a text node whole before reporting it, so the content of an
 * element the caller marks 'binary' bypasses saxes: it is handed over in pieces
 * as it is read, up to the '<' that ends it (CDATA sections in it are unwrapped).
 * The markup is fed to saxes in pieces that end at each '>', so every start and
 * end tag is known with its byte offsets in the file: a signature over an
 * element's exact bytes can be checked later by re-reading just that range.
 */
import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';

export interface StreamedTag {
  local: string;
  uri: string;
  attributes: Record<string, string>;
  selfClosing: boolean;
  /** Byte offset of the tag's '<' in the file. */
  start: number;
}

export interface XmlStreamHandlers {
  /** Return 'binary' to receive the element's text through `binary`, unparsed. */
  open(tag: StreamedTag): 'binary' | undefined;
  /** `end` is the byte offset just past the end tag's '>'. */
  close(local: string, end: number): void;
  text(text: string): void;
  /** A piece of a binary element's text; the next piece waits for the promise. */
  binary(piece: string): Promise<void>;
  /** Called after each piece of markup, to finish work the synchronous handlers queued. */
  settle(): Promise<void>;
}

/** The file cannot be read as the XML we take; `zh` and `en` say why. */
export class XmlRefused extends Error {
  constructor(readonly zh: string, readonly en: string) {
    super(en);
  }
}

export interface XmlStreamLimits {
  /** Characters of markup and text that may pass without an event (one huge text node or tag). */
  maxRun: number;
  /** Element nesting depth. */
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlStreamLimits = { maxRun: 64 * 1024 * 1024, maxDepth: 64 };

const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

/**
 * Reads `file` to its end, calling `handlers` in document order; resolves with the
 * file's size in bytes, or rejects with XmlRefused (or the handlers' own errors).
 */
export async function streamXml(file: string, handlers: XmlStreamHandlers, limits: XmlStreamLimits = DEFAULT_XML_LIMITS, signal?: AbortSignal): Promise<number> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  // ignoreBOM keeps a leading U+FEFF in the text, so character counts stay byte-exact (saxes skips it).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let offset = 0;
  let lastLt = 0;
  let run = 0;
  let depth = 0;
  let failure: XmlRefused | null = null;
  let mode: 'markup' | 'binary' | 'cdata' = 'markup';
  let enterBinary = false;
  let carried = '';

  const event = () => {
    run = 0;
  };
  parser.on('xmldecl', (decl) => {
    if (decl.encoding && !/^utf-?8$/i.test(decl.encoding)) failure ??= new XmlRefused(`只接收 UTF-8 编码的 XML，本文件声明为 ${decl.encoding}`, `only UTF-8 XML is taken; this file declares ${decl.encoding}`);
  });
  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/i.test(doctype)) failure ??= new XmlRefused('XML 含实体声明（可能是实体扩展攻击），拒绝解析', 'the XML declares entities (a possible entity-expansion attack)');
    else if (/\b(SYSTEM|PUBLIC)\b/.test(doctype) || doctype.includes('[')) failure ??= new XmlRefused('XML 引用外部 DTD 或含内部 DTD，拒绝解析', 'the XML names an external DTD or carries an internal subset');
    event();
  });
  parser.on('error', (err) => {
    failure ??= new XmlRefused(`XML 格式错误：${err.message}`, `malformed XML: ${err.message}`);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    event();
    depth += 1;
    if (depth > limits.maxDepth) throw new XmlRefused(`元素嵌套超过 ${limits.maxDepth} 层`, `elements nest deeper than ${limits.maxDepth}`);
    const attributes: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) if (a.uri !== 'http://www.w3.org/2000/xmlns/' && a.prefix !== 'xmlns' && a.name !== 'xmlns') attributes[a.local] = a.value;
    const wants = handlers.open({ local: tag.local, uri: tag.uri, attributes, selfClosing: tag.isSelfClosing, start: lastLt });
    if (wants === 'binary' && !tag.isSelfClosing) enterBinary = true;
  });
  parser.on('closetag', (tag: SaxesTagNS) => {
    event();
    depth -= 1;
    handlers.close(tag.local, offset);
  });
  parser.on('text', (text) => {
    event();
    handlers.text(text);
  });
  parser.on('cdata', (text) => {
    event();
    handlers.text(text);
  });
  parser.on('comment', event);
  parser.on('processinginstruction', event);

  const raise = () => {
    if (failure) throw failure;
  };

  /** Feeds markup up to and including the next '>'; returns where it stopped. */
  function feedMarkup(text: string, from: number): number {
    const gt = text.indexOf('>', from);
    const to = gt === -1 ? text.length : gt + 1;
    const piece = text.slice(from, to);
    const lt = piece.lastIndexOf('<');
    if (lt !== -1) lastLt = offset + Buffer.byteLength(piece.slice(0, lt));
    offset += Buffer.byteLength(piece);
    run += piece.length;
    if (run > limits.maxRun) throw new XmlRefused(`单个元素或文本超过 ${limits.maxRun} 个字符`, `one element or text exceeds ${limits.maxRun} characters`);
    parser.write(piece);
    raise();
    if (enterBinary) {
      enterBinary = false;
      mode = 'binary';
    }
    return to;
  }

  async function consume(text: string, last: boolean): Promise<void> {
    let at = 0;
    while (at < text.length) {
      signal?.throwIfAborted();
      if (mode === 'markup') {
        at = feedMarkup(text, at);
        await handlers.settle();
        continue;
      }
      if (mode === 'cdata') {
        const close = text.indexOf(CDATA_CLOSE, at);
        // Keep two characters back: the end marker may straddle two reads.
        const to = close !== -1 ? close : last ? text.length : Math.max(at, text.length - 2);
        if (to > at) {
          const piece = text.slice(at, to);
          offset += Buffer.byteLength(piece);
          await handlers.binary(piece);
        }
        if (close === -1) {
          if (!last) carried = text.slice(to);
          return;
        }
        offset += CDATA_CLOSE.length;
        at = close + CDATA_CLOSE.length;
        mode = 'binary';
        continue;
      }
      const lt = text.indexOf('<', at);
      const to = lt === -1 ? text.length : lt;
      if (to > at) {
        const piece = text.slice(at, to);
        offset += Buffer.byteLength(piece);
        run = 0;
        await handlers.binary(piece);
      }
      if (lt === -1) return;
      const rest = text.slice(lt, lt + CDATA_OPEN.length);
      if (rest.startsWith('</')) mode = 'markup';
      else if (rest === CDATA_OPEN) {
        offset += CDATA_OPEN.length;
        mode = 'cdata';
        at = lt + CDATA_OPEN.length;
        continue;
      } else if (!last && CDATA_OPEN.startsWith(rest)) {
        carried = text.slice(lt);
        return;
      } else throw new XmlRefused('编码数据中只能有 base64 文本，不能含子元素或注释', 'encoded data may hold base64 text only, no elements or comments');
      at = lt;
    }
  }

  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
      const text = carried + decoder.decode(chunk as Buffer, { stream: true });
      carried = '';
      await consume(text, false);
    }
    await consume(carried + decoder.decode(), true);
  } catch (err) {
    if (err instanceof TypeError && (err as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new XmlRefused(`不是有效的 UTF-8 文本（约第 ${offset} 字节处）`, `not valid UTF-8 (near byte ${offset})`);
    }
    throw err;
  }
  if (mode !== 'markup') throw new XmlRefused('文件在编码数据中途结束（可能不完整）', 'the file ends inside encoded data (truncated?)');
  parser.close();
  raise();
  await handlers.settle();
  return offset;
}
