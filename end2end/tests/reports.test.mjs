// End-to-end test of the client link page: the report with its chart, and
// the PDF download, for a visitor who is not signed in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { API_BASE, BASE_URL, TEST_TIMEOUT_MS, fetchJson, useBrowser, waitForHydration, withPage } from '../support.mjs';

useBrowser();

describe('client report', () => {
  test('client link shows the report and downloads the PDF', { timeout: TEST_TIMEOUT_MS }, async () => {
    const tenants = await fetchJson(`${API_BASE}/tenants?sort=percentage&order=desc&pageSize=1`);
    const tenant = tenants.items[0];
    let url = '';
    await withPage('client-link-create', {}, async (page) => {
      const response = await page.context().request.post(`${BASE_URL}/api/create_client_link`, {
        form: { tenant_id: tenant.tenantId, days: '7' },
        headers: { origin: BASE_URL },
      });
      assert.ok(response.ok(), `creating the link failed with ${response.status()}: ${await response.text()}`);
      url = (await response.json()).url;
    });
    assert.ok(url.startsWith(`${BASE_URL}/client/`), url);

    await withPage('client-report', { acceptDownloads: true }, async (page, pageErrors) => {
      await page.goto(url);
      await waitForHydration(page);
      assert.equal((await page.textContent('h1')).trim(), tenant.displayName);
      await page.waitForSelector('[data-test=client-history-chart][data-chart-ready] canvas', { timeout: 15_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=client-pdf]')]);
      const stream = await download.createReadStream();
      const chunks = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
      }
      const pdf = Buffer.concat(chunks);
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the download is not a PDF');
      assert.match(download.suggestedFilename(), /^secure-score-report-.*\.pdf$/);
      assert.deepEqual(pageErrors, [], 'the page threw errors');
    }, { signIn: false });
  });
});
