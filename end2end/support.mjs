// Shared set-up of the end-to-end tests: the browser, sign-in, API calls and
// page helpers. The tests run against a running `trust-center serve --demo`;
// scripts/test.sh starts that server and sets E2E_BASE_URL.
//
// The browser is Debian's Chromium driven by playwright-core; Playwright's own
// browser download is never used.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
export const API_BASE = `${BASE_URL}/api/addons/trust-center/security-score`;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-results');

// Without the background-networking flags Chromium keeps trying to reach
// Google's hosts, which this machine's closed network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const TEST_TIMEOUT_MS = 90_000;

// scripts/test.sh creates this admin account and read token before starting
// the server.
export const EMAIL = process.env.E2E_EMAIL ?? '';
export const PASSWORD = process.env.E2E_PASSWORD ?? '';
export const API_TOKEN = process.env.E2E_API_TOKEN ?? '';

let browser;

// Launch Chromium before the calling file's tests and close it after them.
export function useBrowser() {
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
  });
}

export async function fetchJson(url) {
  const response = await fetch(url, {
    headers: { accept: 'application/json', authorization: `Bearer ${API_TOKEN}` },
  });
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${url} returned ${response.status}: ${body.slice(0, 500)}`);
  return JSON.parse(body);
}

export function fetchPortfolio() {
  return fetchJson(`${API_BASE}/portfolio`);
}

// Extract the first decimal number in a text such as "74.3%" or "74.3 / 100".
export function parseNumber(text, label) {
  const match = /-?\d+(?:\.\d+)?/.exec(text.replace(/,/g, ''));
  assert.ok(match, `${label}: no number in text ${JSON.stringify(text)}`);
  return Number(match[0]);
}

export async function textOf(page, testId) {
  const locator = page.locator(`[data-test=${testId}]`).first();
  await locator.waitFor({ state: 'attached' });
  return (await locator.innerText()).trim();
}

// Poll `check` until it returns true or the timeout passes; return the last
// value of `describeState` so a failure shows what the page contained.
export async function pollUntil(check, describeState, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) {
      return { ok: true, state: await describeState() };
    }
    if (Date.now() > deadline) {
      return { ok: false, state: await describeState() };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Resolve once the wasm bundle has been fetched and the page has been quiet
// for 500 ms, which is after Leptos has called `hydrate()`.
// NOTE: Leptos 0.8 exposes no "hydrated" flag, so this is a heuristic. A click
// before hydration would fall back to a full page load, which the reload
// check in the sorting test reports as a failure.
export async function waitForHydration(page) {
  await page.waitForFunction(
    () =>
      performance
        .getEntriesByType('resource')
        .some((entry) => entry.name.endsWith('.wasm') && entry.responseEnd > 0),
    undefined,
    { timeout: 30_000 },
  );
  await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
}

// Run `body` with a fresh page; on failure save a screenshot under
// end2end/test-results/ and add the uncaught page errors to the message.
export async function withPage(name, contextOptions, body, { signIn = true } = {}) {
  const context = await browser.newContext(contextOptions);
  if (signIn) {
    // The login server function sets the session cookie in this context.
    const response = await context.request.post(`${BASE_URL}/api/login`, {
      form: { email: EMAIL, password: PASSWORD },
      headers: { origin: BASE_URL },
    });
    assert.ok(response.ok(), `sign-in failed with ${response.status()}: ${await response.text()}`);
  }
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await body(page, pageErrors);
  } catch (error) {
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    if (pageErrors.length > 0) {
      error.message += `\nUncaught page errors:\n${pageErrors.join('\n')}`;
    }
    error.message += `\nScreenshot: ${file}`;
    throw error;
  } finally {
    await context.close();
  }
}

// The page shows the average with one decimal; the API rounds to two. Allow
// for either rounding of a value that ends in 5.
export function assertSameAverage(pageValue, apiValue, label) {
  assert.ok(
    Math.abs(pageValue - apiValue) <= 0.05 + 1e-9,
    `${label}: page shows ${pageValue}, API portfolioAverage is ${apiValue}`,
  );
}

export function isSorted(texts, direction) {
  const keys = texts.map((text) => text.toLowerCase());
  for (let i = 1; i < keys.length; i += 1) {
    const inOrder = direction === 'asc' ? keys[i - 1] <= keys[i] : keys[i - 1] >= keys[i];
    if (!inOrder) {
      return false;
    }
  }
  return true;
}

