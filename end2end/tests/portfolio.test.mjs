// End-to-end tests of the portfolio pages against a running `trust-center
// serve --demo`. scripts/test.sh starts that server and sets E2E_BASE_URL.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  API_BASE,
  BASE_URL,
  EMAIL,
  PASSWORD,
  TEST_TIMEOUT_MS,
  assertSameAverage,
  fetchPortfolio,
  isSorted,
  parseNumber,
  pollUntil,
  textOf,
  useBrowser,
  waitForHydration,
  withPage,
} from '../support.mjs';

useBrowser();

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
