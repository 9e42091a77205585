/**
 * What every e2e file needs: its own `lantai serve --demo` and Chromium,
 * started before its tests and stopped after; a fresh browser context per page
 * (own localStorage), which records page errors so a test can assert there
 * were none; screenshots under test-results/e2e/.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser } from './browser.js';
import { repoRoot, startServer, type RunningServer } from './server.js';

const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors and console errors, in order. */
  problems: string[];
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Emulate a phone: touch, mobile viewport meta handling. */
  mobile?: boolean;
  /**
   * Ask for the page with the system's reduced-motion preference (the default):
   * the app then turns Ant Design's animations off, so a click lands on a menu
   * that is already there, however loaded the machine is. Pass false to see the
   * animated page a reader gets by default.
   */
  reducedMotion?: boolean;
}

export interface Lantai {
  /** An absolute URL on the running server, e.g. url('/admin'). */
  url(pathname: string): string;
  openPage(options?: PageOptions): Promise<OpenedPage>;
  /** Saves a PNG of a page or an element as test-results/e2e/<name>.png. */
  screenshot(target: Page | Locator, name: string): Promise<Buffer>;
}

/** Registers the hooks that start and stop the server and the browser for the calling test file. */
export function useLantai(): Lantai {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([startServer(), launchBrowser()]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (started.status === 'rejected') throw started.reason;
  }, 90_000);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  return {
    url(pathname) {
      if (!server) throw new Error('the Lantai server did not start');
      return new URL(pathname, server.url).toString();
    },
    async openPage(options = {}) {
      if (!browser) throw new Error('Chromium did not start');
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 800 },
        isMobile: options.mobile ?? false,
        hasTouch: options.mobile ?? false,
        locale: 'zh-CN',
        reducedMotion: options.reducedMotion === false ? 'no-preference' : 'reduce',
      });
      contexts.push(context);
      // Generous: the suite runs the browser tests beside CPU-heavy ones on two cores.
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      return { page, problems };
    },
    async screenshot(target, name) {
      await mkdir(screenshotDir, { recursive: true });
      return target.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
    },
  };
}
