/**
 * Chromium for the e2e tests: the Debian package at /usr/bin/chromium driven
 * by playwright-core. A machine without it, or without a Chinese font, fails
 * the tests with the command that fixes it; nothing is skipped silently.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function chineseFonts(): string {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' });
  } catch {
    // No fontconfig at all means no font either.
    return '';
  }
}

/** Throws, saying how to fix it, when Chromium or a CJK font is missing. */
export function checkBrowserPrerequisites(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is missing at ${chromiumPath}: run scripts/setup.sh (installs Debian package chromium)`);
  }
  if (chineseFonts().trim() === '') {
    throw new Error('No Chinese font is installed (fc-list :lang=zh lists nothing): install fonts-wqy-microhei (scripts/setup.sh does)');
  }
}

/** Launches headless Chromium once the prerequisites are checked. */
export async function launchBrowser(): Promise<Browser> {
  checkBrowserPrerequisites();
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}
