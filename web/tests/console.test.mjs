// tests/console.test.mjs: the console in a real browser (Debian's chromium, headless, driven by
// playwright-core) against a real `deconflict serve --demo`. Two parties, two pages:
//   1. NORTH signs in (1280x800), SOUTH signs in (1920x1080); each page shows its identity.
//   2. The map is drawn: the map canvas shows the offline country layer's land colour; NORTH
//      hovering NORTH's orbit shows its altitude band and time window; NORTH queries the view
//      (POST /v1/operations/query) and the page says what it found.
//   3. NORTH sends a flash message on a channel of both; SOUTH's page shows it owed, with its
//      countdown, and acknowledges it; NORTH's page shows SOUTH's acknowledgement.
//   4. NORTH draws a polygon in SOUTH's survey and files it: the 409's missing overlap is drawn
//      and listed; "File again with their OVNs in the key" files it; NORTH's map shows it as
//      its own; SOUTH's page receives operation.conflict. The filing's ledger entry verifies in
//      NORTH's page with the log's key; SOUTH's page, without the key, says the signature is
//      not checked.
//   5. Traffic from two `deconflict sim feed`s: both pages count tracks and an open encounter;
//      NORTH acknowledges it in the encounters pane; SOUTH's pane shows NORTH's acknowledgement.
//   6. Records (records_steps.mjs; set up through the API: an agency's hospital and convoy, a
//      host's territory, keys from `deconflict keys generate` / `keys register`): NORTH's
//      notifications list filters by type, "Map" flies to the hospital and highlights it, the
//      details acknowledge it signed in the browser: a key the server does not know gets its 400
//      as written, the registered key a receipt the server verified; a hotline message is
//      acknowledged signed and its "verify" runs the ledger pane. A strike at the hospital
//      opens a case: NORTH's incidents pane (status filter, finding, statement, "verify" on the
//      finding) and cases pane (NORTH's signed receipt, its operation, its response, "Map").
//      SOUTH's agreements pane shows the territory it approved and an agreed list.
//   7. HOST (a third page, 1280x800, light) sees the operations meeting its territory, then, by
//      keyboard only: the skip link, the tabs, a detail, a flash message sent (keyboard_steps.mjs).
//   8. (vite preview only) The proxy goes away: SOUTH's page shows the lost stream; a message
//      sent meanwhile arrives once it resumes with ?after=. Then the server restarts (same store
//      and port): the banner shows, the stream resumes, and a new message arrives.
//   9. SOUTH's page (the hospital's details) in the light theme.
// A screenshot of each step goes to web/test-results/.
//
// Environment: DECONFLICT_BIN (default /tmp/deconflict-bin/deconflict), CHROMIUM (default
// /usr/bin/chromium), DECONFLICT_ARTIFACTS (screenshots; default web/test-results).
// Where the page comes from: DECONFLICT_WEB_ROOT (a built console): the server serves it itself
// (`serve --web-root`) at its own `/`; else DECONFLICT_URL, where `{server}` stands for the
// started server's base URL; else `vite preview` of web/dist, proxying /v1 to the server.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { api, eventually, startFeed, startPreview, startServer } from './harness.mjs';
import { canvasColours, mapPoint, openTab, screenshots, zoomAt } from './page.mjs';
import { hostByKeyboard } from './keyboard_steps.mjs';
import { agreements, incidentsAndCases, notificationsAndSignedAck, seedRecords, signedHotlineAck } from './records_steps.mjs';
import { acknowledgeEncounter, fileConflicting, verifyLedgerItem } from './steps.mjs';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const results = process.env.DECONFLICT_ARTIFACTS ?? join(webDir, 'test-results');
const bin = process.env.DECONFLICT_BIN ?? '/tmp/deconflict-bin/deconflict';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const kTimeout = 20000;

const shot = screenshots(results);

async function signIn(page, url, token, party, role) {
  await page.goto(url);
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  await page.locator('#whoami').filter({ hasText: `${party} · ${role}` }).waitFor({ timeout: kTimeout });
  await page.locator('#connection[data-state="open"]').waitFor({ timeout: kTimeout });
}

function messageOn(page, subject) {
  return page.locator('#messages li.msg').filter({ hasText: subject });
}

async function main() {
  await mkdir(results, { recursive: true });
  const webRoot = process.env.DECONFLICT_WEB_ROOT;
  const server = await startServer(bin, webRoot);
  console.log(`server ${server.url}`);
  let preview = null;
  let browser = null;
  const feeds = [];
  try {
    let pageUrl;
    if (webRoot) {
      pageUrl = `${server.url}/`;
    } else if (process.env.DECONFLICT_URL) {
      pageUrl = process.env.DECONFLICT_URL.replace('{server}', server.url);
    } else {
      preview = await startPreview(webDir, server.url);
      pageUrl = preview.url;
    }
    console.log(`page ${pageUrl}`);

    // Set-up through the API: a channel of NORTH and SOUTH (the demo has none of theirs).
    const { channels } = await api(server, 'NORTH', 'GET', '/v1/channels');
    let channel = channels.find((c) => c.members.includes('NORTH') && c.members.includes('SOUTH'));
    channel ??= await api(server, 'NORTH', 'POST', '/v1/channels', {
      id: 'north-south',
      name: 'NORTH-SOUTH duty officers',
      members: ['NORTH', 'SOUTH'],
    });

    // An incident near the demo's operations, and live traffic of both parties.
    const hour = 3600 * 1000;
    await api(server, 'NORTH', 'PUT', `/v1/incidents/${crypto.randomUUID()}`, {
      occurred_at: new Date(Date.now() - hour).toISOString().replace(/\.\d+Z$/, 'Z'),
      location: { lat: 35.32, lng: 38.42 },
      event_type: 'Strategic developments',
      sub_event_type: 'Other',
      location_name: 'test incident',
    });
    feeds.push(startFeed(bin, server, 'NORTH', 1), startFeed(bin, server, 'SOUTH', 2));
    // Notifications, a territory, keys: what the records steps need (records_steps.mjs).
    const seed = await seedRecords({ server, bin, dir: server.data });

    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
    });
    const pages = [];
    for (const [name, viewport] of [['NORTH', { width: 1280, height: 800 }], ['SOUTH', { width: 1920, height: 1080 }]]) {
      const context = await browser.newContext({ viewport, colorScheme: 'dark' });
      const page = await context.newPage();
      page.on('pageerror', (e) => console.log(`  [${name} page error] ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && console.log(`  [${name} console] ${m.text()}`));
      pages.push(page);
    }
    const [north, south] = pages;

    console.log('step: sign in as NORTH and SOUTH');
    await signIn(north, pageUrl, server.tokens.NORTH, 'NORTH', 'operator');
    await signIn(south, pageUrl, server.tokens.SOUTH, 'SOUTH', 'operator');

    console.log('step: the map is drawn');
    for (const page of pages) {
      const colours = await canvasColours(page, '#1f2d38');
      console.log(`  canvas ${colours.width}x${colours.height}: land ${(colours.land * 100).toFixed(1)} %, other ${(colours.other * 100).toFixed(1)} %`);
      assert.ok(colours.land > 0.05, 'the country layer is drawn');
      assert.ok(colours.other > 0.01, 'something besides land is drawn (sea, borders, overlays)');
    }
    await shot(north, 'north-signed-in-map');
    await shot(south, 'south-signed-in-map');
    // The view frames the overlays, NORTH's own operations (GET /v1/operations) among them.
    const box = await north.locator('#map').boundingBox();
    const { operations: own } = await api(server, 'NORTH', 'GET', '/v1/operations');
    const orbit = own.find((o) => o.label === 'CAP orbit').extents[0].volume.outline_circle.center;
    const inOrbit = await mapPoint(north, orbit.lat, orbit.lng);
    assert.ok(inOrbit, "NORTH's CAP orbit is in view");
    await north.mouse.move(inOrbit.x, inOrbit.y);
    const popup = north.locator('.maplibregl-popup').filter({ hasText: 'Own operation: CAP orbit' });
    await popup.waitFor({ timeout: kTimeout });
    const hover = await popup.innerText();
    console.log(`  hover: ${hover.replace(/\n/g, ' | ')}`);
    assert.match(hover, /Altitude 3000 m – 6000 m \(W84\)/);
    assert.match(hover, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ → /);
    await shot(north, 'north-hover-operation');
    await zoomAt(north, orbit.lat, orbit.lng, 2); // the query covers at most 99 km square
    await north.mouse.move(box.x + 5, box.y + 5);
    await north.click('#query-view');
    const found = await north.locator('#query-view').filter({ hasText: /found\)$/ }).innerText({ timeout: kTimeout });
    console.log(`  ${found}`);
    assert.ok(Number(/\((\d+) found\)/.exec(found)[1]) >= 1, 'the query finds the demo operations in view');
    await shot(north, 'north-queried-view');

    console.log('step: NORTH sends a flash message');
    const subject = `Flash check ${Date.now()}`;
    await north.selectOption('#channel-select', channel.id);
    await north.selectOption('#send-priority', 'flash');
    await north.fill('#send-subject', subject);
    await north.fill('#send-body', 'Confirm receipt of this flash message.');
    await north.click('#send-form button[type=submit]');
    await messageOn(north, subject).filter({ hasText: 'SOUTH:' }).waitFor({ timeout: kTimeout });
    await shot(north, 'north-sent-flash');

    console.log('step: SOUTH shows it owed and acknowledges it');
    await south.selectOption('#channel-select', channel.id);
    const owed = messageOn(south, subject);
    await owed.and(south.locator('.owed')).waitFor({ timeout: kTimeout });
    assert.match(await owed.locator('.countdown').innerText(), /^due in \d+:\d\d$/);
    assert.equal(await owed.locator('.prio').innerText(), 'FLASH');
    await shot(south, 'south-received-flash');
    await owed.locator('button.ack').click();
    await owed.filter({ hasText: 'You acknowledged' }).waitFor({ timeout: kTimeout });
    await shot(south, 'south-acknowledged');

    console.log('step: NORTH sees the acknowledgement');
    await messageOn(north, subject).filter({ hasText: 'SOUTH: acknowledged' }).waitFor({ timeout: kTimeout });
    await shot(north, 'north-sees-ack');
    const { messages } = await api(server, 'NORTH', 'GET', `/v1/channels/${channel.id}/messages`);
    const sent = messages.find((m) => m.subject === subject);
    assert.deepEqual(sent.acknowledged.map((a) => a.party), ['SOUTH'], 'the server holds the acknowledgement');

    console.log('step: NORTH files an operation that conflicts; the 409 on the map; filed with the key');
    const ledgerIndex = await fileConflicting({ north, south, server, shot });

    console.log('step: the filing verifies in the ledger pane');
    await verifyLedgerItem({ north, south, server, bin, index: ledgerIndex, shot });

    console.log('step: traffic and an encounter on both maps');
    await eventually('an open encounter', async () => {
      const { encounters } = await api(server, 'NORTH', 'GET', '/v1/encounters?state=open');
      return encounters.length > 0;
    }, 120000);
    for (const [name, page] of [['north', north], ['south', south]]) {
      const status = page.locator('#traffic-status');
      await page.locator('#traffic-status:not([data-encounters="0"])[data-encounters]').waitFor({ timeout: kTimeout });
      console.log(`  ${name}: ${await status.innerText()}`);
      assert.ok(Number(await status.getAttribute('data-tracks')) > 0, 'tracks are shown');
      await status.click();
      await page.waitForTimeout(1500);
      await shot(page, `${name}-traffic`);
    }

    console.log('step: NORTH acknowledges an encounter; SOUTH sees it');
    await acknowledgeEncounter({ north, south, server, shot });
    for (const page of pages) await openTab(page, 'hotline');

    console.log('step: notifications, a signed acknowledgement in the browser');
    await notificationsAndSignedAck({ north, server, seed, shot });
    console.log('step: a hotline message acknowledged with the key; "verify" on it');
    await signedHotlineAck({ north, server, channel, seed, shot });
    console.log('step: incidents and cases');
    await incidentsAndCases({ north, server, bin, seed, shot });
    console.log('step: agreements');
    await agreements({ south, shot });
    console.log("step: the host's view; the keyboard-only path");
    await hostByKeyboard({ browser, pageUrl, server, shot });
    await openTab(south, 'hotline');

    if (preview) {
      console.log('step: the proxy goes away; a message sent meanwhile arrives on resume');
      const port = preview.port;
      await preview.stop();
      preview = null;
      await south.locator('#banner:not([hidden])').waitFor({ timeout: kTimeout });
      const missed = `Sent while SOUTH was away ${Date.now()}`;
      await api(server, 'NORTH', 'POST', `/v1/channels/${channel.id}/messages`, {
        id: crypto.randomUUID(),
        priority: 'immediate',
        subject: missed,
        body: 'Sent while the connection was down.',
      });
      await shot(south, 'south-proxy-lost');
      preview = await startPreview(webDir, server.url, port);
      await south.locator('#connection[data-state="open"]').waitFor({ timeout: 30000 });
      await messageOn(south, missed).waitFor({ timeout: kTimeout });
      await shot(south, 'south-proxy-resumed');
    }

    console.log('step: the server restarts; the stream resumes without losing events');
    for (const feed of feeds.splice(0)) await feed.stop();
    {
      const restarted = server.restart();
      await south.locator('#banner:not([hidden])').waitFor({ timeout: kTimeout });
      await shot(south, 'south-connection-lost');
      await restarted;
      const state = await south.locator('#connection').getAttribute('data-state');
      console.log(`  SOUTH's stream when the message is sent: ${state}`);
      const missed = `Sent after the restart ${Date.now()}`;
      await api(server, 'NORTH', 'POST', `/v1/channels/${channel.id}/messages`, {
        id: crypto.randomUUID(),
        priority: 'immediate',
        subject: missed,
        body: 'Sent once the server was back, before or while the page reconnects.',
      });
      await south.locator('#connection[data-state="open"]').waitFor({ timeout: 30000 });
      await messageOn(south, missed).waitFor({ timeout: kTimeout });
      assert.ok(await south.locator('#banner').isHidden(), 'the banner goes once the stream is back');
      await shot(south, 'south-resumed');
    }

    console.log('step: the light theme');
    await openTab(south, 'notifications');
    await south.locator('#notification-list li[data-id="site/field-hospital-1"] button.row-open').click();
    await south.locator('#notification-detail .recipient').first().waitFor({ timeout: kTimeout });
    await south.click('#theme-toggle');
    assert.equal(await south.evaluate(() => document.documentElement.dataset.theme), 'light');
    await south.waitForTimeout(500);
    await shot(south, 'south-light-theme');
    console.log('PASS');
  } finally {
    for (const feed of feeds) await feed.stop();
    await browser?.close();
    await preview?.stop();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack ?? e}`);
  process.exit(1);
});
