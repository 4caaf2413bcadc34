// Wait until a `trust-center serve --demo` server has synced its first data.
//
// Usage: node wait-for-demo.mjs BASE_URL TIMEOUT_SECONDS [SERVER_PID]
//
// Polls GET {BASE_URL}/api/addons/trust-center/security-score/portfolio once a
// second and exits 0 once the start-up sync has finished (lastSync has a
// finishedAt) and tenantsWithData > 0, so the tests read settled numbers.
// Exits 1 when the timeout passes or when SERVER_PID is given and that process
// has exited.
const [baseUrl, timeoutArg = '180', serverPidArg] = process.argv.slice(2);
if (!baseUrl) {
  console.error('usage: node wait-for-demo.mjs BASE_URL TIMEOUT_SECONDS [SERVER_PID]');
  process.exit(2);
}

const url = `${baseUrl.replace(/\/+$/, '')}/api/addons/trust-center/security-score/portfolio`;
const timeoutMs = Number(timeoutArg) * 1000;
const serverPid = serverPidArg ? Number(serverPidArg) : undefined;
const started = Date.now();

function serverIsRunning() {
  if (serverPid === undefined) {
    return true;
  }
  try {
    process.kill(serverPid, 0);
    return true;
  } catch {
    return false;
  }
}

let lastState = 'no response yet';
let lastReported = 0;
for (;;) {
  if (!serverIsRunning()) {
    console.error(`server process ${serverPid} exited before the demo data was ready (last state: ${lastState})`);
    process.exit(1);
  }

  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(5_000),
      headers: { authorization: `Bearer ${process.env.E2E_API_TOKEN ?? ''}` },
    });
    const body = await response.text();
    if (response.status === 200) {
      const portfolio = JSON.parse(body);
      const tenantsWithData = portfolio.tenantsWithData;
      const syncFinished = Boolean(portfolio.lastSync?.finishedAt);
      if (tenantsWithData > 0 && syncFinished) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        console.log(`demo server ready after ${seconds} s: ${tenantsWithData} tenants with data`);
        process.exit(0);
      }
      lastState = `200 with tenantsWithData = ${tenantsWithData}, sync ${portfolio.lastSync?.status ?? 'not started'}`;
    } else {
      lastState = `HTTP ${response.status}: ${body.slice(0, 200)}`;
    }
  } catch (error) {
    lastState = `request failed: ${error.cause?.code ?? error.message}`;
  }

  const elapsed = Date.now() - started;
  if (elapsed > timeoutMs) {
    console.error(`timed out after ${timeoutArg} s waiting for ${url} (last state: ${lastState})`);
    process.exit(1);
  }
  if (elapsed - lastReported >= 15_000) {
    lastReported = elapsed;
    console.log(`waiting for demo data (${Math.round(elapsed / 1000)} s, ${lastState})`);
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
