/** Debian's chromium driven by playwright-core, with a fresh profile per test file, and screenshots under test-output/. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PATIENCE_MS } from '../support/patience.js';

export const CHROMIUM = process.env['SHOAL_CHROMIUM'] ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'shoal-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  // Every wait and action waits for its state, however long a loaded machine takes; only a hang gives up.
  context.setDefaultTimeout(PATIENCE_MS);
  context.setDefaultNavigationTimeout(PATIENCE_MS);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until the element's attribute satisfies `accept` (polling inside the page, as playwright does). */
export async function waitForAttribute(page: Page, selector: string, attribute: string, accept: string, timeout = PATIENCE_MS): Promise<void> {
  await page.waitForFunction(
    ([sel, attr, want]) => {
      const value = document.querySelector(sel!)?.getAttribute(attr!);
      if (value === null || value === undefined) return false;
      return want!.startsWith('>=') ? Number(value) >= Number(want!.slice(2)) : value === want;
    },
    [selector, attribute, accept],
    { timeout },
  );
}

/** Every input and select is named by a label (or aria-label): what a screen reader announces. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))
      .filter((control) => control.type !== 'hidden' && control.labels?.length === 0 && !control.getAttribute('aria-label'))
      .map((control) => control.outerHTML.slice(0, 120)),
  );
}
