// End-to-end test of alerts on the demo. A simulated regression opens one
// Score drop alert with its cause on the page and sends one e-mail and one
// signed webhook to the demo's outbox. A second sync of the same data opens
// nothing new for that tenant.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { API_BASE, BASE_URL, TEST_TIMEOUT_MS, fetchJson, pollUntil, useBrowser, waitForHydration, withPage } from '../support.mjs';

useBrowser();

const OUTBOX = process.env.E2E_OUTBOX ?? '';

// The outbox files that concern `tenantId`'s Score drop, by file name.
function dropNotices(tenantId) {
  let names = [];
  try {
    names = readdirSync(OUTBOX).sort();
  } catch {
    return [];
  }
  return names.filter((name) => {
    const text = readFileSync(path.join(OUTBOX, name), 'utf8');
    if (name.endsWith('.json')) {
      const record = JSON.parse(text);
      return record.body?.alert?.type === 'score_drop' && record.body.alert.tenantId === tenantId;
    }
    return text.includes('Subject: [Secure Score] Score drop:') && text.includes(tenantId);
  });
}

async function dropAlerts(tenantId) {
  const page = await fetchJson(`${API_BASE}/alerts?status=all&type=score_drop&tenant=${tenantId}`);
  return page.items;
}

describe('alerts', () => {
  test('a simulated regression opens one alert and sends one notice per channel', { timeout: 3 * TEST_TIMEOUT_MS }, async () => {
    assert.ok(OUTBOX, 'E2E_OUTBOX is not set: run the end-to-end tests through scripts/test.sh');
    await withPage('alerts-regression', {}, async (page) => {
      await page.goto(`${BASE_URL}/alerts`);
      await waitForHydration(page);
      const tenantId = await page.locator('#regress-tenant').inputValue();
      assert.ok(tenantId, 'the demo offers no tenant to regress');
      assert.equal((await dropAlerts(tenantId)).length, 0, 'the tenant already has a drop alert');

      await page.click('[data-test=simulate-regression]');
      await page.waitForSelector('[data-test=regression-result]', { timeout: 20_000 });

      const card = page.locator(`[data-test=alert][data-kind=score_drop][data-tenant="${tenantId}"]`);
      await pollUntil(
        async () => {
          await page.goto(`${BASE_URL}/alerts`);
          return (await card.count()) === 1;
        },
        () => 'no Score drop alert appeared for the regressed tenant',
        60_000,
      );
      const lost = await card.locator('[data-test=lost-controls] li').allTextContents();
      assert.ok(lost.length >= 1, 'the alert names the controls that lost points');
      assert.match(await card.locator('[data-test=alert-message]').textContent(), /from lost points/);

      await pollUntil(
        async () => dropNotices(tenantId).length === 2,
        () => `expected one e-mail and one webhook in ${OUTBOX}, found ${JSON.stringify(dropNotices(tenantId))}`,
        30_000,
      );
      const notices = dropNotices(tenantId);
      assert.equal(notices.filter((name) => name.endsWith('.eml')).length, 1);
      const hook = notices.find((name) => name.endsWith('.json'));
      assert.equal(JSON.parse(readFileSync(path.join(OUTBOX, hook), 'utf8')).signature, 'valid');

      // A second sync of the same data: no new alert, no new notice.
      await page.goto(`${BASE_URL}/`);
      await waitForHydration(page);
      const latestRun = () => page.evaluate(async () => (await fetch('/api/sync_status', { method: 'POST' })).json());
      const before = await latestRun();
      await page.getByRole('button', { name: 'Refresh now' }).click();
      await pollUntil(
        async () => {
          const run = await latestRun();
          return run !== null && run.id > before.id && run.status !== 'running';
        },
        () => 'the second sync did not finish',
        60_000,
      );
      assert.equal((await dropAlerts(tenantId)).length, 1, 'one alert for the episode');
      assert.equal(dropNotices(tenantId).length, 2, 'no second notice');
    });
  });
});
