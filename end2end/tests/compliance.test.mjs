// End-to-end test of the compliance view on the demo, checked as a new user
// would. The portfolio view lists every framework. A tenant's view shows the
// MFA action under its SOC 2, HIPAA and CMMC controls, and the CMMC
// identification control shows the points and state of the tenant's scores.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { API_BASE, BASE_URL, TEST_TIMEOUT_MS, fetchJson, useBrowser, waitForHydration, withPage } from '../support.mjs';

useBrowser();

// The demo simulator's MFA-for-all-users action, and the framework controls
// that backend/compliance/mapping.json gives its Microsoft counterpart
// (MFARegistrationV2).
const MFA = 'entra_mfa_all_users';
const MFA_CONTROLS = [
  ['soc2', 'CC6.1'],
  ['hipaa', '164.312(d)'],
  ['cmmc2', 'IA.L2-3.5.3'],
];
// The demo actions behind CMMC IA.L2-3.5.3: MFA for admins, MFA for all
// users and blocking legacy authentication.
const IA_3_5_3_ACTIONS = ['entra_mfa_admin_roles', 'entra_mfa_all_users', 'entra_block_legacy_auth'];

// The state of one action from its points, as the page defines it.
function actionState(score, maxScore) {
  if (score >= maxScore - 0.005) return 'Satisfied';
  if (score > 0.005) return 'Partial';
  return 'Open';
}

// The state of a control from its actions' states.
function controlState(states) {
  if (states.every((s) => s === 'Satisfied')) return 'Satisfied';
  if (states.every((s) => s === 'Open')) return 'Open';
  return 'Partial';
}

describe('compliance', () => {
  test('the portfolio view lists every framework with covered tenants', { timeout: TEST_TIMEOUT_MS }, async () => {
    await withPage('compliance-portfolio', {}, async (page) => {
      await page.goto(`${BASE_URL}/compliance`);
      await waitForHydration(page);
      await page.waitForSelector('[data-test=portfolio-coverage-table]');
      assert.match(await page.locator('[data-test=compliance-disclaimer]').innerText(), /does not prove compliance/);
      const frameworks = await page.locator('[data-test=portfolio-framework-row]').evaluateAll((rows) => rows.map((r) => r.dataset.framework));
      assert.deepEqual(frameworks, ['soc2', 'hipaa', 'cmmc2', 'nist800171', 'nist80053', 'iso27001', 'cis_m365']);
      const api = await fetchJson(`${API_BASE}/compliance/portfolio`);
      const cmmc = api.frameworks.find((f) => f.framework === 'cmmc2');
      assert.ok(cmmc.tenants > 0, 'no demo tenant has a CMMC control');
      const cell = page.locator('[data-test=portfolio-framework-row][data-framework=cmmc2] [data-test=portfolio-framework-tenants]');
      assert.equal(Number(await cell.innerText()), cmmc.tenants);
      assert.equal(await page.locator('[data-test=portfolio-tenant-row]').count(), api.tenants.length);
    });
  });

  test('a tenant shows the MFA action under SOC 2, HIPAA and CMMC', { timeout: TEST_TIMEOUT_MS }, async () => {
    const tenants = await fetchJson(`${API_BASE}/tenants`);
    const rows = Array.isArray(tenants) ? tenants : tenants.items ?? tenants.tenants;
    let chosen = null;
    for (const row of rows.filter((r) => r.percentage != null && !r.excluded)) {
      const detail = await fetchJson(`${API_BASE}/tenants/${row.tenantId}`);
      const controls = detail.latestSnapshot?.controls ?? [];
      if (IA_3_5_3_ACTIONS.every((id) => controls.some((c) => c.controlName === id && c.maxScore > 0))) {
        chosen = { row, controls };
        break;
      }
    }
    assert.ok(chosen, 'no demo tenant scores all three identification actions');
    const byId = new Map(chosen.controls.map((c) => [c.controlName, c]));
    const mfa = byId.get(MFA);

    await withPage('compliance-tenant', {}, async (page) => {
      await page.goto(`${BASE_URL}/compliance?tenant=${chosen.row.tenantId}`);
      await waitForHydration(page);
      await page.waitForSelector('[data-test=coverage-table]');
      for (const [framework, control] of MFA_CONTROLS) {
        const row = page.locator(`[data-test=framework-details][data-framework=${framework}] [data-test=framework-control][data-control="${control}"]`);
        assert.equal(await row.count(), 1, `${framework} ${control} is not listed`);
        const text = await row.innerText();
        assert.ok(text.includes(mfa.title), `${framework} ${control} does not list "${mfa.title}": ${text}`);
      }
      // IA.L2-3.5.3 lists the three actions with the points of the tenant's
      // latest snapshot, and its state follows from theirs.
      const cmmcRow = page.locator('[data-test=framework-details][data-framework=cmmc2] [data-test=framework-control][data-control="IA.L2-3.5.3"]');
      const items = await cmmcRow.locator('li').allInnerTexts();
      assert.equal(items.length, IA_3_5_3_ACTIONS.length, items.join(' | '));
      const badges = [];
      for (const id of IA_3_5_3_ACTIONS) {
        const control = byId.get(id);
        const item = items.find((text) => text.includes(control.title));
        assert.ok(item, `IA.L2-3.5.3 does not list "${control.title}"`);
        const points = /\(([\d.]+) of ([\d.]+) points\)/.exec(item);
        assert.ok(points, `no points in "${item}"`);
        assert.equal(Number(points[1]), control.score, `${id} score`);
        assert.equal(Number(points[2]), control.maxScore, `${id} maximum`);
        const badge = ['Satisfied', 'Partial', 'Open', 'Risk accepted'].find((label) => item.startsWith(label));
        // A ThirdParty or Ignored decision at Microsoft may override the
        // points; otherwise the badge follows them.
        if (badge !== 'Risk accepted' && !(badge === 'Satisfied' && control.score < control.maxScore)) {
          assert.equal(badge, actionState(control.score, control.maxScore), `${id} state`);
        }
        badges.push(badge);
      }
      const controlBadge = (await cmmcRow.locator('td').first().innerText()).trim();
      if (!badges.includes('Risk accepted')) {
        assert.equal(controlBadge, controlState(badges));
      }
    });
  });
});
