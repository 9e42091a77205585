import { describe, expect, it } from 'vitest';
import { createProgram } from '../../main.js';
import { errorCatalog, preferredLanguage } from './errors.js';

describe('error catalog', () => {
  it('gives every code an HTTP status and a Chinese and an English message', () => {
    createProgram(); // loads every module that declares errors
    const catalog = errorCatalog();
    expect(catalog.size).toBeGreaterThan(10);
    for (const [code, def] of catalog) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(def.status).toBeGreaterThanOrEqual(400);
      expect(def.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(def.en).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it('chooses the reply language from Accept-Language, Chinese by default', () => {
    expect(preferredLanguage(undefined)).toBe('zh-CN');
    expect(preferredLanguage('en-US,en;q=0.9')).toBe('en');
    expect(preferredLanguage('en;q=0.5, zh-TW;q=0.8')).toBe('zh-CN');
    expect(preferredLanguage('fr-FR')).toBe('zh-CN');
  });
});

describe('defineErrors', () => {
  it('refuses a code that another module already defined', async () => {
    const { defineErrors } = await import('./errors.js');
    expect(() => defineErrors('someone-else', { VALIDATION_FAILED: { status: 400, zh: '重复', en: 'duplicate' } })).toThrow(/defined by both/);
  });
});
