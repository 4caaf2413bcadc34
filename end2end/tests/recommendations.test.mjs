// End-to-end test of the recommendations page: a bulk status change across
// two tenants shows on the page after a reload and in the API.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { API_BASE, BASE_URL, TEST_TIMEOUT_MS, fetchJson, useBrowser, waitForHydration, withPage } from '../support.mjs';

useBrowser();

const TARGET_DATE = '2027-03-01';

describe('recommendations', () => {
  test('two tenants set to Planned stay planned after a reload', { timeout: TEST_TIMEOUT_MS }, async () => {
    const ranked = await fetchJson(`${API_BASE}/recommendations`);
    const action = ranked.items.find((item) => item.affectedTenants >= 2);
    assert.ok(action, 'the demo has no action open in two tenants');

    await withPage('recommendations-bulk', {}, async (page, pageErrors) => {
      await page.goto(`${BASE_URL}/recommendations?action=${encodeURIComponent(action.id)}`);
      await waitForHydration(page);
      const rows = page.locator('[data-test=drawer-tenant]');
      await rows.first().waitFor();
      const chosen = [];
      for (const index of [0, 1]) {
        const row = rows.nth(index);
        chosen.push(await row.getAttribute('data-tenant-id'));
        await row.locator('[data-test=tenant-select]').check();
      }
      assert.equal((await page.textContent('[data-test=selected-count]')).trim(), '2 selected');
      await page.selectOption('[data-test=status-select]', 'planned');
      await page.fill('[data-test=status-date]', TARGET_DATE);
      await page.click('[data-test=status-apply]');
      await page.waitForSelector('[data-test=status-outcome]', { timeout: 15_000 });
      assert.match(await page.textContent('[data-test=status-outcome]'), /Stored for 2 tenant\(s\)/);

      await page.reload();
      await page.locator('[data-test=drawer-tenant]').first().waitFor();
      for (const tenantId of chosen) {
        const row = page.locator(`[data-test=drawer-tenant][data-tenant-id="${tenantId}"]`);
        assert.equal((await row.locator('[data-test=cell-status]').textContent()).trim(), 'Planned', tenantId);
        assert.equal((await row.locator('[data-test=cell-target-date]').textContent()).trim(), TARGET_DATE, tenantId);
      }
      assert.deepEqual(pageErrors, [], 'the page threw errors');
    });

    const detail = await fetchJson(`${API_BASE}/recommendations/${encodeURIComponent(action.id)}/status`);
    const planned = detail.tenants.filter((t) => t.status === 'planned' && t.targetDate === TARGET_DATE).map((t) => t.tenantId);
    assert.equal(planned.length, 2, `API shows ${JSON.stringify(planned)}`);
  });
});
