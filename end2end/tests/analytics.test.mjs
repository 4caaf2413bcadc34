// End-to-end tests of the analytics pages (tenant detail, categories, trends,
// benchmarks): each page draws its chart and shows the API's numbers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { API_BASE, BASE_URL, TEST_TIMEOUT_MS, fetchJson, textOf, useBrowser, waitForHydration, withPage } from '../support.mjs';

useBrowser();

// Format a percentage as the pages do: one decimal and " %", or "—".
function percentText(value) {
  return value === null || value === undefined ? '—' : `${(Math.round(value * 10) / 10).toFixed(1)} %`;
}

// Format a change in points as the pages do: "+2.3", "-1.5", "0.0".
function signedText(value) {
  const rounded = Math.round(value * 10) / 10;
  return rounded > 0 ? `+${rounded.toFixed(1)}` : rounded.toFixed(1);
}

// Wait until the chart `testId` has been drawn, then assert that its canvas
// has at least one painted pixel.
async function assertChartDrawn(page, testId) {
  const chart = page.locator(`[data-test=${testId}]`);
  await chart.waitFor({ state: 'attached' });
  await page.waitForSelector(`[data-test=${testId}][data-chart-ready] canvas`, { timeout: 15_000 });
  const painted = await page.$eval(`[data-test=${testId}] canvas`, (canvas) => {
    if (canvas.width === 0 || canvas.height === 0) {
      return false;
    }
    const context = canvas.getContext('2d');
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) {
      if (pixels[i] !== 0) {
        return true;
      }
    }
    return false;
  });
  assert.ok(painted, `${testId}: the canvas is empty`);
}

function assertNoPageErrors(pageErrors) {
  assert.deepEqual(pageErrors, [], 'the page threw errors');
}

describe('analytics pages', () => {
  test('categories page draws its chart and matches the API', { timeout: TEST_TIMEOUT_MS }, async () => {
    const report = await fetchJson(`${API_BASE}/categories`);
    await withPage('categories', {}, async (page, pageErrors) => {
      await page.goto(`${BASE_URL}/categories`);
      await waitForHydration(page);
      await assertChartDrawn(page, 'categories-chart');
      for (const category of report.categories) {
        const row = page.locator(`[data-test=category-row][data-category="${category.category}"]`);
        const cell = (await row.locator('[data-test=cell-portfolio-average]').innerText()).trim();
        assert.equal(cell, percentText(category.portfolioAverage), `${category.category} portfolio average`);
      }
      assertNoPageErrors(pageErrors);
    });
  });

  test('trends page draws its line and matches the API', { timeout: TEST_TIMEOUT_MS }, async () => {
    const report = await fetchJson(`${API_BASE}/trends?days=90`);
    assert.equal(report.series.length, 91);
    await withPage('trends', {}, async (page, pageErrors) => {
      await page.goto(`${BASE_URL}/trends?days=90`);
      await waitForHydration(page);
      await assertChartDrawn(page, 'trend-chart');
      const change = await textOf(page, 'portfolio-change');
      assert.equal(change, report.portfolioChange === null ? '—' : `${signedText(report.portfolioChange)} pts`);
      assert.equal(await textOf(page, 'tenants-improved'), String(report.tenantsImproved));
      assert.equal(await textOf(page, 'tenants-regressed'), String(report.tenantsRegressed));
      assert.equal(await textOf(page, 'tenants-without-change'), String(report.tenantsWithoutChange));
      const rows = page.locator('[data-test=trend-daily-table] tbody tr');
      assert.equal(await rows.count(), report.series.length);
      // The table lists the newest day first. It sits in a closed <details>,
      // so its text is read with textContent (innerText is empty there).
      const newest = report.series[report.series.length - 1];
      const newestCell = (await rows.first().locator('td').first().textContent()).trim();
      assert.equal(newestCell, percentText(newest.average));

      // A window link switches the report without a full page load.
      await page.evaluate(() => {
        window.__noReload = true;
      });
      await page.click('[data-test=window-7]');
      await page.waitForURL(`${BASE_URL}/trends?days=7`);
      const week = await fetchJson(`${API_BASE}/trends?days=7`);
      await page.waitForFunction(
        (expected) => document.querySelectorAll('[data-test=trend-daily-table] tbody tr').length === expected,
        week.series.length,
        { timeout: 15_000 },
      );
      assert.equal(await page.evaluate(() => window.__noReload), true, 'clicking a window link reloaded the page');
      await assertChartDrawn(page, 'trend-chart');
      assertNoPageErrors(pageErrors);
    });
  });

  test('benchmarks page draws its chart and names sources', { timeout: TEST_TIMEOUT_MS }, async () => {
    const report = await fetchJson(`${API_BASE}/benchmarks`);
    assert.ok(report.groups.length > 0, 'the demo has no industry group');
    await withPage('benchmarks', {}, async (page, pageErrors) => {
      await page.goto(`${BASE_URL}/benchmarks`);
      await waitForHydration(page);
      await assertChartDrawn(page, 'benchmarks-chart');
      for (const group of report.groups) {
        const row = page.locator(`[data-test=benchmark-row][data-industry="${group.label}"]`);
        const average = (await row.locator('[data-test=cell-portfolio-average]').innerText()).trim();
        assert.equal(average, percentText(group.portfolioAverage), `${group.label} portfolio average`);
        const industryCell = (await row.locator('[data-test=cell-industry-average]').innerText()).trim();
        if (group.industryAverageSource === 'none') {
          assert.ok(industryCell.startsWith('No industry reference'), `${group.label}: ${industryCell}`);
        } else {
          assert.ok(industryCell.startsWith(percentText(group.industryAverage)), `${group.label}: ${industryCell}`);
        }
        const note = await row.locator('[data-test=cell-industry-average]').getAttribute('title');
        assert.equal(note, group.industryAverageNote, `${group.label}: the source note differs`);
      }
      assertNoPageErrors(pageErrors);
    });
  });

  test('tenant page draws history and categories', { timeout: TEST_TIMEOUT_MS }, async () => {
    const tenants = await fetchJson(`${API_BASE}/tenants?sort=percentage&order=desc&pageSize=1`);
    const tenantId = tenants.items[0].tenantId;
    const detail = await fetchJson(`${API_BASE}/tenants/${tenantId}`);
    assert.equal(detail.history.length, 91);
    await withPage('tenant-analytics', {}, async (page, pageErrors) => {
      await page.goto(`${BASE_URL}/tenants/${tenantId}`);
      await waitForHydration(page);
      await assertChartDrawn(page, 'history-chart');
      await assertChartDrawn(page, 'tenant-category-chart');
      for (const category of detail.categoryComparison) {
        const row = page.locator(`[data-test=comparison-row][data-category="${category.category}"]`);
        assert.equal((await row.locator('[data-test=cell-tenant]').innerText()).trim(), percentText(category.percentage));
        assert.equal((await row.locator('[data-test=cell-portfolio]').innerText()).trim(), percentText(category.portfolioAverage));
      }
      if (detail.maxScoreChanges.length > 0) {
        const items = page.locator('[data-test=max-score-changes] li');
        assert.equal(await items.count(), detail.maxScoreChanges.length);
      }
      assertNoPageErrors(pageErrors);
    });
  });
});
