/**
 * The i18next instance of the web client: Chinese by default, English on
 * request. The reader's choice is kept in localStorage and mirrored in
 * <html lang> so that screen readers and fonts follow it.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { preservationEn } from './preservation-en.js';
import { preservationZhCN } from './preservation-zh-CN.js';
import { searchEn } from './search-en.js';
import { searchZhCN } from './search-zh-CN.js';
import { transferEn } from './transfer-en.js';
import { transferZhCN } from './transfer-zh-CN.js';
import { zhCN } from './zh-CN.js';

export const languages = ['zh-CN', 'en'] as const;
export type Language = (typeof languages)[number];

const storageKey = 'lantai.language';
const defaultLanguage: Language = 'zh-CN';

function isLanguage(value: unknown): value is Language {
  return languages.some((language) => language === value);
}

function storedLanguage(): Language {
  try {
    const value = localStorage.getItem(storageKey);
    return isLanguage(value) ? value : defaultLanguage;
  } catch {
    // Storage can be switched off (private mode, strict settings): fall back to Chinese.
    return defaultLanguage;
  }
}

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  // 'transfer', 'preservation' and 'search' are namespaces of their own: one namespace of all the workbench's keys
  // grows past what TypeScript can check as one union of keys ("type instantiation is excessively deep").
  resources: {
    'zh-CN': { translation: zhCN, transfer: transferZhCN, preservation: preservationZhCN, search: searchZhCN },
    en: { translation: en, transfer: transferEn, preservation: preservationEn, search: searchEn },
  },
  ns: ['translation', 'transfer', 'preservation', 'search'],
  defaultNS: 'translation',
  lng: storedLanguage(),
  fallbackLng: defaultLanguage,
  supportedLngs: languages,
  load: 'currentOnly',
  initAsync: false,
  // React escapes text itself.
  interpolation: { escapeValue: false },
});

document.documentElement.lang = i18n.language;

/** The language the interface is shown in. */
export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : defaultLanguage;
}

/** Switches the interface language and remembers the choice for the next visit. */
export async function changeLanguage(language: Language): Promise<void> {
  await i18n.changeLanguage(language);
  document.documentElement.lang = language;
  try {
    localStorage.setItem(storageKey, language);
  } catch {
    // Not remembered when storage is unavailable; the switch still applies to this visit.
  }
}
