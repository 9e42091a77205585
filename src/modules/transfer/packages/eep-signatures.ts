/**
 * The signatures of a DA/T 48-2009 EEP, as its schema has them: 电子签名块 holds
 * 电子签名+ (签名标识符, 签名规则, 签名时间?, 签名人?, 签名结果 base64, 证书块+ with
 * 证书+ base64 and 证书引证?, 签名算法标识); 锁定签名 (被锁定签名标识符, then the
 * same fields) signs one 电子签名. A 电子签名 covers the 被签名对象 that precedes
 * its block at the same level (the package's own, or the one inside 原封装包 of a
 * 修改型 package). Collected while the reader streams; checked by the checks.
 */

export type ByteRange = { start: number; end: number };

export interface EepSignature {
  kind: '电子签名' | '锁定签名';
  layer: 'current' | 'original';
  id: string | null;
  rule: string | null;
  time: string | null;
  signer: string | null;
  algorithm: string | null;
  /** 签名结果, base64 as written. */
  value: string | null;
  /** 证书, base64 DER as written. */
  certificates: string[];
  /** Bytes [start, end) of the file the signature covers: its 被签名对象 (or, for 锁定签名, the 电子签名 it locks). */
  covers: ByteRange | null;
}

const HOLDERS = new Set(['电子签名', '锁定签名', '电子签名块']);
const FIELDS: Record<string, keyof Pick<EepSignature, 'id' | 'rule' | 'time' | 'signer' | 'value' | 'algorithm'>> = {
  签名标识符: 'id', 被锁定签名标识符: 'id', 签名规则: 'rule', 签名时间: 'time', 签名人: 'signer', 签名结果: 'value', 签名算法标识: 'algorithm',
};

/** Gathers signatures from the reader's element events. */
export function createSignatureCollector() {
  const found: EepSignature[] = [];
  const signedObjects = new Map<string, ByteRange>();
  const signatureElements = new Map<string, ByteRange>();
  let current: EepSignature | null = null;
  const fresh = (kind: EepSignature['kind'], layer: EepSignature['layer']): EepSignature => ({ kind, layer, id: null, rule: null, time: null, signer: null, algorithm: null, value: null, certificates: [], covers: null });

  return {
    found,
    /** 电子签名, 锁定签名, or 电子签名块 (some producers write one signature's fields straight into the block). */
    open(local: string, layer: EepSignature['layer']): void {
      current = fresh(local === '锁定签名' ? '锁定签名' : '电子签名', layer);
    },
    /** A 被签名对象 ended; `parents` is the path of its parent. */
    signedObject(parents: readonly string[], range: ByteRange): void {
      signedObjects.set(parents.join('/'), range);
    },
    /** An element ended; `parents` is the path of its parent (the element itself already popped). */
    close(local: string, parent: string, value: string, range: ByteRange, parents: readonly string[], layer: EepSignature['layer']): void {
      const sig = current;
      if (!sig) return;
      const field = FIELDS[local];
      if (field && HOLDERS.has(parent)) sig[field] = value;
      else if (parent === '证书块' && local === '证书' && value !== '') sig.certificates.push(value);
      else if (HOLDERS.has(local)) {
        if (local === '电子签名' && sig.id) signatureElements.set(sig.id, range);
        if (local === '锁定签名') sig.covers = sig.id ? (signatureElements.get(sig.id) ?? null) : null;
        // A 电子签名's parent is its block; the block's parent also holds the 被签名对象.
        else sig.covers = signedObjects.get((local === '电子签名' ? parents.slice(0, -1) : parents).join('/')) ?? null;
        if (sig.value !== null) found.push(sig);
        current = local === '电子签名' ? fresh('电子签名', layer) : null;
      }
    },
  };
}
