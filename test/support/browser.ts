/**
 * Opens a page in a real headless Chromium (Debian's, which scripts/setup.sh installs) and reports what a person
 * would run into: console errors, uncaught page errors, failed requests, the visible text, and whether each image
 * loaded. A full-page screenshot lands under test-output/screenshots/, which CI keeps, so a reviewer can look too.
 * There is no fallback: without Chromium the calling test fails, since a skipped browser test checks nothing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import puppeteer from 'puppeteer-core';
import { z } from 'zod';

import { repoRoot } from './paths.js';

export const screenshotsDir = resolve(repoRoot, 'test-output', 'screenshots');

/** Root in CI and containers needs --no-sandbox; --headless=new is the real browser, not the old headless shell. */
const CHROMIUM_FLAGS = ['--no-sandbox', '--headless=new', '--disable-gpu'];

export interface PageReport {
  /** console.error calls and the browser's own error lines (e.g. "Failed to load resource"), with their source. */
  consoleErrors: string[];
  /** Exceptions the page's scripts threw and nobody caught. */
  pageErrors: string[];
  /** Requests that got no answer (missing file, refused) or an HTTP status of 400 or more. */
  failedRequests: string[];
  /** document.body.innerText: what a person reads, markup stripped, hidden elements left out. */
  text: string;
  /** Every <img>: its src attribute as written, and naturalWidth, 0 when it did not load or decode. */
  images: { src: string; naturalWidth: number }[];
}

export interface RenderOptions {
  /** A file name under test-output/screenshots/, or an absolute path. Full page. */
  screenshot?: `${string}.png`;
  viewport?: { width: number; height: number };
}

export function chromiumPath(): string {
  return process.env.GAUNTLET_CHROMIUM || '/usr/bin/chromium';
}

/** `fileOrUrl`: a path (relative to the working directory) or a URL such as http://127.0.0.1:8233/. */
export async function renderPage(fileOrUrl: string, options: RenderOptions = {}): Promise<PageReport> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: run scripts/setup.sh (it apt-get installs chromium) or set GAUNTLET_CHROMIUM`);
  }
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(fileOrUrl) ? fileOrUrl : pathToFileURL(resolve(fileOrUrl)).href;
  // headless: false stops puppeteer adding its own headless flags; ours above say the same, explicitly.
  const browser = await puppeteer.launch({ executablePath, headless: false, args: CHROMIUM_FLAGS, timeout: 30_000 });
  try {
    const page = await browser.newPage();
    await page.setViewport(options.viewport ?? { width: 1280, height: 800 });
    const report: PageReport = { consoleErrors: [], pageErrors: [], failedRequests: [], text: '', images: [] };
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      report.consoleErrors.push(where ? `${message.text()} (${where})` : message.text());
    });
    page.on('pageerror', (error) => report.pageErrors.push(error instanceof Error ? error.message : String(error)));
    page.on('requestfailed', (request) => report.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
    page.on('response', (response) => {
      if (response.status() >= 400) report.failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
    });
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    // A string, not a function: the project compiles without the DOM's types, and this stays checked by zod instead.
    const seen = pageContents.parse(
      await page.evaluate(`({
        text: document.body ? document.body.innerText : '',
        images: Array.from(document.images, (img) => ({ src: img.getAttribute('src') ?? '', naturalWidth: img.naturalWidth })),
      })`),
    );
    report.text = seen.text;
    report.images = seen.images;
    if (options.screenshot) {
      const path = isAbsolute(options.screenshot) ? options.screenshot : resolve(screenshotsDir, options.screenshot);
      mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({ path: path as `${string}.png`, fullPage: true });
    }
    return report;
  } finally {
    await browser.close();
  }
}

const pageContents = z.object({
  text: z.string(),
  images: z.array(z.object({ src: z.string(), naturalWidth: z.number() })),
});
