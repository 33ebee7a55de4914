// The dashboard in a real browser (Debian's Chromium driven by playwright-core), against a real
// mabd that tests/e2e/dashboard_e2e_test.cc started and is driving through a transfer scenario.
//
//   node dashboard.e2e.js --url https://127.0.0.1:PORT --token mab_... --operator NAME
//        --viewer-token mab_... --child 'Given Family' --reveal-reason TEXT
//        --transfer T-E2E --owed-by AGENCY --out DIR --status FILE [--profile-parent DIR]
//
// It signs in, opens the transfers list and writes "watching" to --status; the C++ test then
// opens the transfer. The page must show the transfer appear and turn INCOMPLETE without a
// reload, then the operator opens its timeline, acknowledges the flag with a note and reveals
// the child's identity with a reason; a viewer is refused both. Prints
// "acknowledged flag <id> note <note>" for the C++ test to check against the audit trail, and
// saves screenshots in --out. Exit 0 only when every step passed.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`bad argument ${argv[i]}: expected --name value pairs`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const need of ['url', 'token', 'operator', 'viewer-token', 'transfer', 'owed-by', 'child',
    'reveal-reason', 'out', 'status']) {
    if (!out[need]) throw new Error(`missing --${need}`);
  }
  return out;
}

const CHROMIUM = process.env.MAB_CHROMIUM || '/usr/bin/chromium';
const STEP_MS = 30000;  // what one step may take at most; the C++ test bounds the whole run

function log(...parts) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 23)}]`, ...parts);
}

async function main() {
  const a = args();
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    throw new Error('playwright-core is not installed: run "npm ci --prefix tests/e2e" (deploy/test does)');
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium package (deploy/setup does)`);
  }
  fs.mkdirSync(a.out, { recursive: true });
  // A fresh profile each run: under --profile-parent (the test's sandbox, removed with it even
  // when this process is killed) or the system's temporary folder.
  const profile = fs.mkdtempSync(path.join(a['profile-parent'] || os.tmpdir(), 'mab-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    // mabd's certificate is the self-signed one the test made a moment ago.
    ignoreHTTPSErrors: true,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  context.setDefaultTimeout(STEP_MS);
  const problems = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // Chromium logs every 401 and 403 answer; the test causes those on purpose.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        problems.push(`console error: ${m.text()}`);
      }
    });
    await run(page, a, context);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  // A CSP violation or a script error is a failure even when every step passed.
  if (problems.length) throw new Error(problems.join('\n'));
}

async function run(page, a, context) {
  const shot = async (name, fullPage = false) => {
    await page.screenshot({ path: path.join(a.out, name), fullPage });
    log(`screenshot ${name}`);
  };

  // A wrong token stays on the sign-in box with a message.
  await page.goto(a.url);
  await page.getByLabel('Access token').fill('mab_not-a-real-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That token was not recognised.').waitFor();
  log('a wrong token is refused');

  await page.getByLabel('Access token').fill(a.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await page.locator('#live[data-state="live"]').waitFor();
  log('signed in; live');

  // Keyboard only: the main menu works with Enter, focus moves to the new page's heading, and
  // the next Tab reaches the first filter with a visible focus ring.
  await page.getByRole('link', { name: 'Transfers', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Transfers' }).waitFor();
  await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'H1');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { id: el.id, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  if (focused.id !== 'f-state' || focused.outline === 'none' || !(focused.width >= 2)) {
    throw new Error(`keyboard focus: expected a visible ring on the state filter, got ${JSON.stringify(focused)}`);
  }
  // Everything from here must happen without a reload: this marker would not survive one.
  await page.evaluate(() => { window.mabE2eMarker = 'no reload'; });
  fs.writeFileSync(a.status, 'watching\n');
  log('watching the transfers list');

  const row = page.locator(`tr[data-transfer="${a.transfer}"]`);
  await row.waitFor();
  log(`${a.transfer} appeared live`);
  await row.locator('.flags-cell .badge', { hasText: 'INCOMPLETE' }).waitFor({ timeout: 45000 });
  if (await page.evaluate(() => window.mabE2eMarker) !== 'no reload') {
    throw new Error('the page reloaded: the INCOMPLETE flag did not arrive live');
  }
  log(`${a.transfer} became INCOMPLETE live, without a reload`);

  // The filters: by open flag it is listed, among completed transfers it is not.
  await page.getByLabel('Open flag').selectOption('INCOMPLETE');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/flag=INCOMPLETE/);
  await row.waitFor();
  await page.getByLabel('State').selectOption('complete');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No transfer matches these filters.').waitFor();
  await page.getByRole('link', { name: 'Clear' }).click();
  await row.waitFor();
  log('the filters find it by flag and leave it out of the completed ones');

  await row.getByRole('link', { name: a.transfer }).click();
  await page.getByRole('heading', { level: 1, name: `Transfer ${a.transfer}` }).waitFor();
  const partRow = page.locator('table tr', { has: page.locator('td', { hasText: a['owed-by'] }) }).first();
  await partRow.getByText('overdue').waitFor();
  const timeline = page.locator('ol.timeline li');
  await timeline.filter({ hasText: `INCOMPLETE raised: ${a['owed-by']} is late` }).waitFor();
  log(`timeline shows ${await timeline.count()} events`);

  // The flag the operator acknowledges: the raised INCOMPLETE naming the agency that never sent.
  const card = page.locator('li.flag-card.raised[data-flag-type="INCOMPLETE"]', { hasText: a['owed-by'] });
  const flagId = (await card.getAttribute('id')).replace('flag-', '');
  const note = `Phoned ${a['owed-by']}: record promised by Friday (e2e ${process.pid})`;
  await card.getByRole('button', { name: 'Acknowledge…' }).click();
  // The note is required: submitting it empty says so and sends nothing.
  await card.getByRole('button', { name: 'Acknowledge flag' }).click();
  await card.getByText('Write a note').waitFor();
  await card.getByLabel(/Note for the INCOMPLETE flag/).fill(note);
  await shot('transfer-acknowledging.png');
  await card.getByRole('button', { name: 'Acknowledge flag' }).click();
  const acked = page.locator(`#flag-${flagId} .acked`);
  await acked.getByText(`Acknowledged by ${a.operator}`).waitFor();
  await page.locator('ol.timeline li', { hasText: `INCOMPLETE acknowledged by ${a.operator}` }).waitFor();
  log(`acknowledged flag ${flagId}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('transfer.png', true);

  // An operator may reveal who the child is, with a reason; the identity shows in the panel
  // only, and leaves the page when the panel closes.
  await page.getByRole('button', { name: 'Reveal identity…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reveal a child\'s identity' });
  await dialog.getByRole('button', { name: 'Reveal', exact: true }).click();
  await dialog.getByText('Give a reason of at least 5 characters').waitFor();
  await dialog.getByLabel(/Reason/).fill(a['reveal-reason']);
  await dialog.getByRole('button', { name: 'Reveal', exact: true }).click();
  await dialog.getByText(a.child, { exact: true }).waitFor();
  await dialog.getByText(`Revealed to ${a.operator}`).waitFor();
  await shot('reveal.png');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  if (await page.getByText(a.child).count() !== 0) {
    throw new Error('the revealed identity is still on the page after the panel closed');
  }
  log('revealed the subject with a reason; the identity left with the panel');

  // A viewer may look but not acknowledge: the 403 is shown as what the role may not do.
  const viewer = await context.newPage();
  await viewer.goto(a.url);
  await viewer.evaluate(() => sessionStorage.clear());
  await viewer.getByLabel('Access token').fill(a['viewer-token']);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await viewer.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await viewer.goto(`${a.url}/#/transfers/${encodeURIComponent(a.transfer)}`);
  const viewerCard = viewer.locator(`#flag-${flagId}`);
  await viewerCard.getByRole('button', { name: /Acknowledge/ }).click();
  await viewerCard.getByLabel(/Note for the INCOMPLETE flag/).fill('a viewer tries');
  await viewerCard.getByRole('button', { name: 'Acknowledge flag' }).click();
  await viewerCard.getByText('Your role may not acknowledge flags.').waitFor();
  await viewer.getByRole('button', { name: 'Reveal identity…' }).click();
  await viewer.getByLabel(/Reason/).fill('checking the role rules');
  await viewer.getByRole('button', { name: 'Reveal', exact: true }).click();
  await viewer.getByText('Your role may not reveal a child\'s identity.').waitFor();
  await viewer.close();
  log('a viewer is told what its role may not do');

  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await page.locator('table.bars').first().waitFor();
  await shot('overview.png');
  await page.setViewportSize({ width: 2560, height: 1440 });
  await shot('overview-2560.png');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole('link', { name: 'Agencies' }).click();
  await page.getByRole('heading', { level: 1, name: 'Agencies' }).waitFor();
  await page.locator('svg.chart').first().waitFor();
  await page.locator('#scorecards tbody tr', { hasText: a['owed-by'] }).waitFor();
  await shot('agencies.png');

  // Signing out forgets the token.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Access token').waitFor();
  if (await page.evaluate(() => sessionStorage.getItem('mab.token')) !== null) {
    throw new Error('the token is still in sessionStorage after signing out');
  }
  console.log(`acknowledged flag ${flagId} note ${note}`);
}

main().then(() => {
  log('passed');
  process.exit(0);
}, (e) => {
  console.error(`dashboard e2e FAILED: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
