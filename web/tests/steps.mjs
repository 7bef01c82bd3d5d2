// tests/steps.mjs: the console test's steps for filing, encounters and the ledger, each driven
// through the page as a user would, with the server asked behind the page for the facts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { api, eventually } from './harness.mjs';
import { canvasColours, centreOn, mapPoint, openTab, zoomAt } from './page.mjs';

const kTimeout = 20000;
const utcInput = (ms) => new Date(ms).toISOString().slice(0, 16);

/**
 * NORTH draws a polygon inside SOUTH's demo survey and files it: the 409 lists the survey as
 * missing and draws its overlap; "File again with their OVNs in the key" files it; NORTH's
 * map shows it as its own; SOUTH's page receives operation.conflict. Returns the answer's
 * ledger index (shown on the page).
 */
export async function fileConflicting({ north, south, server, shot }) {
  const { operations } = await api(server, 'SOUTH', 'GET', '/v1/operations');
  const survey = operations.find((o) => o.label === 'survey');
  assert.ok(survey, "SOUTH's demo survey is live");
  const extent = survey.extents[0];
  const start = Math.max(Date.parse(extent.time_start.value), Date.now()) + 10 * 60000;

  await openTab(north, 'filing');
  await north.locator('#map[data-bounds]').waitFor({ timeout: kTimeout });
  const [lat, lng, d] = [35.3, 38.7, 0.04];
  // Drag the place to the centre and zoom in with the wheel until the vertices are far apart.
  await centreOn(north, lat, lng);
  for (let tries = 0; tries < 4; tries++) {
    const a = await mapPoint(north, lat - d, lng - d);
    const b = await mapPoint(north, lat + d, lng + d);
    if (a && b && b.x - a.x > 150) break;
    await zoomAt(north, lat, lng, 1);
  }
  const corners = [[lat - d, lng - d], [lat - d, lng + d], [lat + d, lng + d], [lat + d, lng - d]];
  const points = [];
  for (const [la, ln] of corners) {
    const p = await mapPoint(north, la, ln);
    assert.ok(p, `(${la}, ${ln}) is in NORTH's view`);
    points.push(p);
  }
  await north.click('#draw-polygon');
  for (const p of points.slice(0, -1)) await north.mouse.click(p.x, p.y);
  const last = points[points.length - 1];
  await north.mouse.dblclick(last.x, last.y);
  await north.locator('#draw-status').filter({ hasText: 'Polygon of 4 vertices' }).waitFor({ timeout: kTimeout });
  await north.fill('#alt-lower', '4500');
  await north.fill('#alt-upper', '5000');
  await north.fill('#time-start', utcInput(start));
  await north.fill('#time-end', utcInput(start + 30 * 60000));
  await north.fill('#op-label', 'NORTH test patrol');
  await shot(north, 'north-drew-polygon');

  await north.click('#file-submit');
  const again = north.locator('#file-with-key');
  await again.waitFor({ timeout: kTimeout });
  const refusal = await north.locator('#filing-result').innerText();
  console.log(`  409: ${refusal.split('\n').slice(0, 4).join(' | ')}`);
  assert.match(refusal, /^409: the key lacks the OVN/);
  assert.ok(refusal.includes(`SOUTH operation ${survey.id}`), 'the survey is listed as missing');
  assert.ok(refusal.includes(survey.ovn), "the survey's OVN is shown");
  await north.waitForTimeout(500);
  const yellow = await canvasColours(north, '#ffd60a', 40);
  console.log(`  missing overlap drawn: ${(yellow.land * 100).toFixed(2)} % of the canvas`);
  await shot(north, 'north-409-missing-on-map');
  assert.ok(yellow.land > 0.001, 'the missing overlap is drawn highlighted on the map');

  await again.click();
  const filed = north.locator('#filing-result .filed');
  await filed.waitFor({ timeout: kTimeout });
  const id = await filed.getAttribute('data-operation');
  console.log(`  filed: ${(await filed.innerText()).replace(/\n/g, ' | ')}`);
  const stored = await api(server, 'NORTH', 'GET', `/v1/operations/${id}`);
  assert.equal(stored.operation.label, 'NORTH test patrol');

  // NORTH's map shows it as its own operation (GET /v1/operations), hovered at its centre.
  await north.locator('#map[data-map-idle="true"]').waitFor({ timeout: kTimeout });
  const centre = await mapPoint(north, lat, lng);
  await north.mouse.move(centre.x, centre.y);
  await north.locator('.maplibregl-popup').filter({ hasText: 'Own operation: NORTH test patrol' }).waitFor({ timeout: kTimeout });
  await shot(north, 'north-filed-with-key');
  await north.mouse.move(points[0].x - 200, points[0].y);

  const event = south.locator('#event-log li[data-type="operation.conflict"]').filter({ hasText: id });
  await event.waitFor({ timeout: kTimeout });
  console.log(`  SOUTH: ${(await event.innerText()).replace(/\n/g, ' ')}`);
  await shot(south, 'south-conflict-event');
  return Number(/ledger #(\d+)/.exec(await filed.innerText())[1]);
}

/** NORTH acknowledges an open encounter on its page; SOUTH's page sees NORTH's acknowledgement. */
export async function acknowledgeEncounter({ north, south, server, shot }) {
  await openTab(north, 'encounters');
  const owed = north.locator('#encounter-list li.encounter.owed').first();
  await owed.waitFor({ timeout: kTimeout });
  const id = await owed.getAttribute('data-id');
  const text = await owed.innerText();
  console.log(`  NORTH owes: ${text.replace(/\n/g, ' | ')}`);
  assert.match(text, /CPA (in|passed) \d+:\d\d/);
  assert.match(text, /Not acknowledged by .*NORTH \(you\)/);
  await shot(north, 'north-encounter-owed');
  await owed.locator('button.ack').click();
  const item = north.locator(`#encounter-list li.encounter[data-id="${id}"]`);
  await north.locator(`#encounter-list li.encounter:not(.owed)[data-id="${id}"]`).waitFor({ timeout: kTimeout });
  assert.doesNotMatch(await item.innerText(), /NORTH \(you\)/);
  const { encounter } = await eventually('the acknowledgement stored', async () => {
    const r = await api(server, 'NORTH', 'GET', `/v1/encounters/${id}`);
    return (r.encounter ?? r).acknowledgements?.some((a) => a.party === 'NORTH') ? { encounter: r.encounter ?? r } : null;
  }, kTimeout);
  console.log(`  server: encounter ${id} acknowledged by ${encounter.acknowledgements.map((a) => a.party).join(', ')}`);
  await shot(north, 'north-encounter-acknowledged');

  await openTab(south, 'encounters');
  const theirs = south.locator(`#encounter-list li.encounter[data-id="${id}"]`);
  await theirs.filter({ hasNotText: /Not acknowledged by NORTH/ }).waitFor({ timeout: kTimeout });
  console.log(`  SOUTH sees: ${(await theirs.innerText()).replace(/\n/g, ' | ')}`);
  await shot(south, 'south-sees-encounter-ack');
  return id;
}

/**
 * Entry `index` verifies in NORTH's page with the log's key (`deconflict ledger key`): the
 * inclusion proof, the opening and the checkpoint's Ed25519 signature. SOUTH's page, given no
 * key, says the signature is not checked (never "verified").
 */
export async function verifyLedgerItem({ north, south, server, bin, index, shot }) {
  const { stdout } = await promisify(execFile)(bin, ['ledger', 'key', '--data', server.data]);
  const key = stdout.trim();
  await openTab(north, 'ledger');
  await north.fill('#ledger-key', key);
  await north.dispatchEvent('#ledger-key', 'change');
  await north.fill('#ledger-index', String(index));
  await north.click('#verify-form button[type=submit]');
  const verdict = north.locator('#verify-result .verdict');
  await verdict.waitFor({ timeout: kTimeout });
  const result = await north.locator('#verify-result').innerText();
  console.log(`  NORTH: ${result.replace(/\n/g, ' | ')}`);
  await shot(north, 'north-ledger-verified');
  assert.equal(await verdict.getAttribute('data-verdict'), 'verified');
  assert.match(result, /action operation\.create/);

  await openTab(south, 'ledger');
  await south.fill('#ledger-index', String(index));
  await south.click('#verify-form button[type=submit]');
  const theirs = south.locator('#verify-result .verdict');
  await theirs.waitFor({ timeout: kTimeout });
  console.log(`  SOUTH (no key): ${(await theirs.innerText()).replace(/\n/g, ' ')}`);
  assert.equal(await theirs.getAttribute('data-verdict'), 'partial');
  await shot(south, 'south-ledger-no-key');
}
