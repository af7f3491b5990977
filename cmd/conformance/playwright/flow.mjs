// The anchor of make bench: the async PAYPAL flow of the suites' browser specs,
// written as a plain Playwright script would be, against the same sandbox and the
// same browser binary: an initial DB over HTTP, a fresh browser context, the
// redirect opened with its method and parameters, the shopper's approval, the
// return to a local shopperResultUrl, the final status. No screenshot is taken.
//
//   node flow.mjs BASE_URL ENTITY_ID ACCESS_TOKEN CHROME_BIN FLOWS
//
// It prints one JSON line: {"flows": n, "p50Ms": ..., "msPerFlow": [...]}.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const [base, entity, token, chrome, flowsArg] = process.argv.slice(2);
const flows = Number(flowsArg || 10);

// The shopperResultUrl: it answers the browser and resolves the flow waiting for key.
const waiting = new Map();
const shop = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<p>back at the shop</p>');
  waiting.get(u.pathname)?.(u.searchParams.get('resourcePath'));
});
await new Promise((r) => shop.listen(0, '127.0.0.1', r));
const shopURL = `http://127.0.0.1:${shop.address().port}`;

async function api(method, path, form) {
  const res = await fetch(base + path, {
    method, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/x-www-form-urlencoded' },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return res.json();
}

async function flow(browser, i) {
  const key = `/return/pw-${process.pid}-${i}`;
  const back = new Promise((r) => waiting.set(key, r));
  const t0 = performance.now();
  const context = await browser.newContext();
  const page = await context.newPage();
  const db = await api('POST', 'v1/payments', {
    entityId: entity, amount: '92.12', currency: 'EUR', paymentBrand: 'PAYPAL', paymentType: 'DB',
    merchantTransactionId: `pw-${process.pid}-${i}`, shopperResultUrl: shopURL + key,
  });
  const red = db.redirect;
  const params = Array.isArray(red.parameters) ? red.parameters : Object.entries(red.parameters || {}).map(([name, value]) => ({ name, value }));
  if ((red.method || 'POST').toUpperCase() === 'GET') {
    const u = new URL(red.url);
    for (const p of params) u.searchParams.set(p.name, p.value);
    await page.goto(u.toString());
  } else {
    const inputs = params.map((p) => `<input type="hidden" name="${p.name}" value="${p.value}">`).join('');
    await page.setContent(`<form method="post" action="${red.url}">${inputs}</form>`);
    await Promise.all([page.waitForNavigation(), page.evaluate(() => document.forms[0].submit())]);
  }
  await Promise.all([page.waitForURL(shopURL + '/**'), page.click('#approve')]);
  const resourcePath = await back;
  const status = await api('GET', resourcePath.replace(/^\//, '') + '?entityId=' + entity);
  await context.close();
  if (!/^000\.(000|100)\./.test(status.result.code)) throw new Error('status ' + status.result.code);
  return performance.now() - t0;
}

const browser = await chromium.launch({ executablePath: chrome, args: ['--no-sandbox'] });
await flow(browser, 0); // warm-up, not counted
const ms = [];
for (let i = 1; i <= flows; i++) ms.push(await flow(browser, i));
await browser.close();
shop.close();
const sorted = [...ms].sort((a, b) => a - b);
const p50 = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(JSON.stringify({ flows, p50Ms: Math.round(p50 * 10) / 10, msPerFlow: ms.map((x) => Math.round(x)) }));
