// End-to-end tests of the portfolio pages against a running `trust-center
// serve --demo`. scripts/test.sh starts that server and sets E2E_BASE_URL.
//
// The browser is Debian's Chromium driven by playwright-core; Playwright's own
// browser download is never used.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = (process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const API_BASE = `${BASE_URL}/api/addons/trust-center/security-score`;
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results');

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

const TEST_TIMEOUT_MS = 90_000;

// scripts/test.sh creates this admin account and read token before starting
// the server.
const EMAIL = process.env.E2E_EMAIL ?? '';
const PASSWORD = process.env.E2E_PASSWORD ?? '';
const API_TOKEN = process.env.E2E_API_TOKEN ?? '';

let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

async function fetchJson(url) {
  const response = await fetch(url, {
    headers: { accept: 'application/json', authorization: `Bearer ${API_TOKEN}` },
  });
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${url} returned ${response.status}: ${body.slice(0, 500)}`);
  return JSON.parse(body);
}

function fetchPortfolio() {
  return fetchJson(`${API_BASE}/portfolio`);
}

// Extract the first decimal number in a text such as "74.3%" or "74.3 / 100".
function parseNumber(text, label) {
  const match = /-?\d+(?:\.\d+)?/.exec(text.replace(/,/g, ''));
  assert.ok(match, `${label}: no number in text ${JSON.stringify(text)}`);
  return Number(match[0]);
}

async function textOf(page, testId) {
  const locator = page.locator(`[data-test=${testId}]`).first();
  await locator.waitFor({ state: 'attached' });
  return (await locator.innerText()).trim();
}

// Poll `check` until it returns true or the timeout passes; return the last
// value of `describeState` so a failure shows what the page contained.
async function pollUntil(check, describeState, timeoutMs = 10_000) {
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
async function waitForHydration(page) {
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
async function withPage(name, contextOptions, body, { signIn = true } = {}) {
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
function assertSameAverage(pageValue, apiValue, label) {
  assert.ok(
    Math.abs(pageValue - apiValue) <= 0.05 + 1e-9,
    `${label}: page shows ${pageValue}, API portfolioAverage is ${apiValue}`,
  );
}

function isSorted(texts, direction) {
  const keys = texts.map((text) => text.toLowerCase());
  for (let i = 1; i < keys.length; i += 1) {
    const inOrder = direction === 'asc' ? keys[i - 1] <= keys[i] : keys[i - 1] >= keys[i];
    if (!inOrder) {
      return false;
    }
  }
  return true;
}

describe('portfolio overview', () => {
  test('overview matches portfolio API', { timeout: TEST_TIMEOUT_MS }, async () => {
    const portfolio = await fetchPortfolio();
    assert.ok(portfolio.tenantsWithData > 0, 'the demo portfolio has no tenant with data');
    assert.equal(typeof portfolio.portfolioAverage, 'number', 'portfolioAverage is not a number');
    assert.ok(portfolio.topTenant, 'topTenant is missing from the API response');

    await withPage('overview', {}, async (page, pageErrors) => {
      await page.goto(`${BASE_URL}/`);

      const average = parseNumber(await textOf(page, 'portfolio-average'), 'portfolio-average');
      assertSameAverage(average, portfolio.portfolioAverage, 'portfolio-average');

      const managed = parseNumber(await textOf(page, 'managed-tenants'), 'managed-tenants');
      assert.equal(managed, portfolio.managedTenants, 'managed-tenants differs from API managedTenants');

      const withData = parseNumber(await textOf(page, 'tenants-with-data'), 'tenants-with-data');
      assert.equal(withData, portfolio.tenantsWithData, 'tenants-with-data differs from API tenantsWithData');

      const topTenant = await textOf(page, 'top-tenant');
      assert.ok(
        topTenant.includes(portfolio.topTenant.displayName),
        `top-tenant shows ${JSON.stringify(topTenant)}, expected it to name ${JSON.stringify(portfolio.topTenant.displayName)}`,
      );

      await waitForHydration(page);
      assert.deepEqual(pageErrors, [], 'uncaught errors on the overview page');
    });
  });

  test('demo banner is visible', { timeout: TEST_TIMEOUT_MS }, async () => {
    await withPage('demo-banner', {}, async (page) => {
      await page.goto(`${BASE_URL}/`);
      const banner = page.locator('[data-test=demo-banner]').first();
      await banner.waitFor({ state: 'visible', timeout: 10_000 });
      assert.ok(await banner.isVisible(), 'demo-banner is not visible');
      assert.notEqual((await banner.innerText()).trim(), '', 'demo-banner has no text');
    });
  });

  test('overview readable without JavaScript', { timeout: TEST_TIMEOUT_MS }, async () => {
    const portfolio = await fetchPortfolio();

    await withPage('no-javascript', { javaScriptEnabled: false }, async (page) => {
      await page.goto(`${BASE_URL}/`);
      const average = parseNumber(await textOf(page, 'portfolio-average'), 'portfolio-average without JavaScript');
      assertSameAverage(average, portfolio.portfolioAverage, 'portfolio-average without JavaScript');
    });
  });
});

describe('tenant comparison table', () => {
  test('rows match API and sort by name', { timeout: TEST_TIMEOUT_MS }, async () => {
    const portfolio = await fetchPortfolio();

    await withPage('tenant-table', {}, async (page, pageErrors) => {
      await page.goto(`${BASE_URL}/tenants`);
      const rows = page.locator('[data-test=tenant-row]');
      await rows.first().waitFor({ state: 'attached' });
      assert.equal(await rows.count(), portfolio.tenantsWithData, 'tenant-row count differs from API tenantsWithData');

      await waitForHydration(page);
      assert.deepEqual(pageErrors, [], 'uncaught errors before sorting');

      // A full page load would create a new window object and drop the marker.
      await page.evaluate(() => {
        window.__marker = 1;
      });

      const names = page.locator('[data-test=cell-display-name]');
      const readNames = async () => (await names.allInnerTexts()).map((text) => text.trim());
      const sortHeader = page.locator('[data-test=sort-displayName]').first();

      await sortHeader.click();
      const ascending = await pollUntil(async () => isSorted(await readNames(), 'asc'), readNames);
      assert.ok(ascending.ok, `names are not in ascending order after one click: ${JSON.stringify(ascending.state)}`);
      assert.equal(ascending.state.length, portfolio.tenantsWithData, 'sorting changed the number of rows');

      await sortHeader.click();
      const descending = await pollUntil(
        async () => {
          const current = await readNames();
          // Unless all names are equal, ascending and descending orders differ.
          const changed = JSON.stringify(current) !== JSON.stringify(ascending.state);
          return isSorted(current, 'desc') && (changed || isSorted(current, 'asc'));
        },
        readNames,
      );
      assert.ok(descending.ok, `names are not in descending order after a second click: ${JSON.stringify(descending.state)}`);

      const marker = await page.evaluate(() => window.__marker);
      assert.equal(marker, 1, 'the page reloaded on sorting; expected client-side sorting after hydration');
      assert.deepEqual(pageErrors, [], 'uncaught errors while sorting');
    });
  });
});

describe('access', () => {
  test('staff pages need a sign-in', { timeout: TEST_TIMEOUT_MS }, async () => {
    await withPage(
      'sign-in form',
      {},
      async (page) => {
        await page.goto(`${BASE_URL}/tenants`);
        assert.match(page.url(), /\/login\?next=/, 'an anonymous visitor is sent to the login page');
        await waitForHydration(page);
        await page.fill('[data-test=login-email]', EMAIL);
        await page.fill('[data-test=login-password]', PASSWORD);
        await page.click('[data-test=login-submit]');
        await page.waitForURL(`${BASE_URL}/tenants`, { timeout: 15_000 });
        // After a client-side navigation the rows arrive with the data.
        await page.locator('[data-test=tenant-row]').first().waitFor({ timeout: 15_000 });
        assert.ok((await page.locator('[data-test=tenant-row]').count()) > 0, 'no tenant rows after sign-in');
      },
      { signIn: false },
    );
  });

  test('API answers 401 without a token', async () => {
    const response = await fetch(`${API_BASE}/portfolio`);
    assert.equal(response.status, 401);
    const body = await response.json();
    assert.equal(body.error.code, 'unauthorized');
  });
});
