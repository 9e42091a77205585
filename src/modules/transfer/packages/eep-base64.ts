/**
 * Strict, incremental base64 (RFC 4648 §4, as DA/T 48-2009 prescribes for 编码数据
 * via RFC 2045): text arrives in pieces of any length, whitespace and line breaks
 * are skipped, and bytes come out in whole groups. Node's own decoder is lenient
 * (it drops bad characters silently); a package whose data is not base64 is a
 * broken package, so every character is checked here first. Character references
 * to whitespace (&#13; and the like) count as whitespace; nothing else does.
 */

const NOT_BASE64 = /[^A-Za-z0-9+/=]/;
const WHITESPACE = /[\t\n\r ]+/g;
// Serialisers escape the CR of CRLF-broken base64 lines as a character reference (Java's writes &#13;).
const SPACE_REFERENCE = /&#(?:9|10|13|32|x0*[9aAdD]|x0*20);/g;
const PARTIAL_REFERENCE = /&(?:#(?:x[0-9a-fA-F]{0,4}|[0-9]{0,3})?)?$/;

export class Base64Error extends Error {}

export interface Base64Decoder {
  /** Decodes what can be decoded of `text` (and what was carried from before). */
  push(text: string): Buffer;
  /** The last bytes; throws when the text did not end on a whole group. */
  end(): Buffer;
}

/** A fresh decoder for one 编码数据 element. */
export function createBase64Decoder(): Base64Decoder {
  let carried = '';
  let reference = '';
  let padded = false;
  let pads = 0;
  let total = 0;

  function check(clean: string): void {
    const bad = NOT_BASE64.exec(clean);
    if (bad) throw new Base64Error(`invalid character "${bad[0]}" at ${total + bad.index}`);
    const pad = clean.indexOf('=');
    if (padded && clean.replace(/=/g, '') !== '') throw new Base64Error('data after the closing "="');
    if (padded) pads += clean.length;
    else if (pad !== -1) {
      if (clean.slice(pad).replace(/=/g, '') !== '') throw new Base64Error('data after the closing "="');
      padded = true;
      pads += clean.length - pad;
    }
    if (pads > 2) throw new Base64Error('more than two "=" at the end');
    total += clean.length;
  }

  return {
    push(text) {
      let raw = reference + text;
      const partial = PARTIAL_REFERENCE.exec(raw);
      reference = partial ? partial[0] : '';
      if (partial) raw = raw.slice(0, partial.index);
      const clean = raw.replace(SPACE_REFERENCE, '').replace(WHITESPACE, '');
      if (clean === '') return Buffer.alloc(0);
      check(clean);
      const all = carried + clean;
      const whole = all.length - (all.length % 4);
      carried = all.slice(whole);
      return Buffer.from(all.slice(0, whole), 'base64');
    },
    end() {
      if (reference !== '') throw new Base64Error(`invalid character "${reference}" at the end`);
      if (carried !== '') throw new Base64Error(`${total} characters is not a whole number of base64 groups`);
      if (padded && total % 4 !== 0) throw new Base64Error('bad padding');
      return Buffer.alloc(0);
    },
  };
}
