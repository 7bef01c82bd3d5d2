// tests/records_steps.mjs: the console test's steps for the lists and detail panes
// (notifications, incidents, cases, agreements), signed acknowledgements with a key loaded in
// the page, the host's view and the keyboard-only path. The demo seeds none of these records,
// so seedRecords() makes them through the API (and the CLI, for keys and a guarantor's signed
// finding) as the parties themselves would.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addParty, api, cli, eventually } from './harness.mjs';
import { canvasColours, openTab } from './page.mjs';

const kTimeout = 20000;
const at = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString().replace(/\.\d+Z$/, 'Z');
const hour = 3600 * 1000;
export const kHospital = { lat: 35.22, lng: 38.62 };

/** `deconflict keys generate --out FILE`: resolves with the key id it prints. */
async function generateKey(bin, file) {
  const out = await cli(bin, ['keys', 'generate', '--out', file]);
  return /key id ([0-9a-f]{16})/.exec(out)?.[1] ?? '';
}

/**
 * Set-up: an agency (AID, humanitarian) notifies NORTH and SOUTH of a field hospital and a
 * convoy; a host (HOST) gets a territory agreed by HOST, NORTH and SOUTH over the demo's
 * operations; NORTH generates a key and registers it (`keys generate`, `keys register`), and a
 * second key it never registers; UNMO registers a key for its findings.
 */
export async function seedRecords({ server, bin, dir }) {
  for (const [id, role] of [['AID', 'humanitarian'], ['HOST', 'host'], ['MONITOR', 'observer']]) await addParty(bin, server, id, role);
  const site = await api(server, 'AID', 'PUT', '/v1/sites/field-hospital-1', {
    kind: 'hospital', name: 'Field hospital 1', location: { type: 'Point', coordinates: [kHospital.lng, kHospital.lat] },
    buffer_m: 500, valid_from: at(-hour), valid_to: at(30 * 24 * hour), recipients: ['NORTH', 'SOUTH'],
  });
  await api(server, 'AID', 'PUT', '/v1/movements/convoy-homs-palmyra', {
    name: 'Homs - Palmyra', vehicles: 14, route: { type: 'LineString', coordinates: [[36.71, 34.73], [37.6, 34.62], [38.27, 34.56]] },
    time_start: at(hour), time_end: at(5 * hour), recipients: ['NORTH', 'SOUTH'],
  });
  await api(server, 'NORTH', 'PUT', '/v1/proposals/host-territory', {
    kind: 'territory', approvers: ['HOST', 'SOUTH'], expires_at: at(hour),
    content: { party: 'HOST', area: { type: 'Polygon', coordinates: [[[38.3, 34.9], [39.2, 34.9], [39.2, 35.6], [38.3, 35.6], [38.3, 34.9]]] } },
  });
  for (const p of ['NORTH', 'SOUTH', 'HOST']) await api(server, p, 'POST', '/v1/proposals/host-territory/decision', { decision: 'approve' });
  await api(server, 'HOST', 'POST', '/v1/channels', { id: 'host-north', name: 'HOST-NORTH liaison', members: ['HOST', 'NORTH'] });

  const keys = { north: join(dir, 'north.key'), wrong: join(dir, 'north-unregistered.key'), unmo: join(dir, 'unmo.key') };
  const northKeyId = await generateKey(bin, keys.north);
  await cli(bin, ['keys', 'register', '--url', server.url, '--token', server.tokens.NORTH, '--key', keys.north]);
  const wrongKeyId = await generateKey(bin, keys.wrong);
  await generateKey(bin, keys.unmo);
  await cli(bin, ['keys', 'register', '--url', server.url, '--token', server.tokens.UNMO, '--key', keys.unmo]);
  return { site, keys, northKeyId, wrongKeyId };
}

/** Loads a key file into the page's signing-key control; waits until it says which key. */
async function loadKey(page, file, keyId) {
  await page.setInputFiles('#key-file', file);
  await page.locator(`#key-status[data-key-id="${keyId}"]`).waitFor({ timeout: kTimeout });
}

/**
 * NORTH's notifications pane lists the hospital and the convoy, filters by type, shows the
 * hospital on the map (highlighted), opens its details and acknowledges it: first with a key
 * the server does not know (its 400, as written), then with the registered key (the receipt
 * says the server verified it; the notifier's view says the signature is valid).
 */
export async function notificationsAndSignedAck({ north, server, seed, shot }) {
  await openTab(north, 'notifications');
  const rows = north.locator('#notification-list li.record');
  await rows.filter({ hasText: 'Field hospital 1' }).waitFor({ timeout: kTimeout });
  assert.equal(await rows.count(), 2, 'the hospital and the convoy are listed');
  await north.selectOption('#notif-type', 'movement');
  assert.deepEqual(await rows.locator('.row-title').allInnerTexts(), ['Movement: Homs - Palmyra']);
  await north.selectOption('#notif-type', '');

  const hospital = north.locator('#notification-list li[data-id="site/field-hospital-1"]');
  await hospital.locator('button.show-on-map').click();
  await north.locator('#map[data-highlight="site/field-hospital-1"]').waitFor({ timeout: kTimeout });
  const white = await canvasColours(north, '#ffffff', 30);
  console.log(`  the hospital highlighted: ${(white.land * 100).toFixed(2)} % of the canvas white`);
  assert.ok(white.land > 0.0005, 'the highlighted place is drawn');
  await shot(north, 'north-notification-on-map');

  await hospital.locator('button.row-open').click();
  const detail = north.locator('#notification-detail');
  await detail.locator('.detail-title').filter({ hasText: 'Site: Field hospital 1' }).waitFor({ timeout: kTimeout });
  assert.match(await detail.innerText(), /You have not acknowledged this version/);

  await loadKey(north, seed.keys.wrong, seed.wrongKeyId);
  await detail.locator('button.ack').filter({ hasText: `signed, key ${seed.wrongKeyId}` }).click();
  const refusal = detail.locator('.my-ack .error');
  await refusal.filter({ hasText: /\S/ }).waitFor({ timeout: kTimeout });
  console.log(`  wrong key: ${await refusal.innerText()}`);
  // The status, the server's message as written and the field it names (describeError).
  assert.equal(await refusal.innerText(), '400: signature: does not verify with any active key of party NORTH (field: signature)');
  await shot(north, 'north-ack-wrong-key');

  await loadKey(north, seed.keys.north, seed.northKeyId);
  await detail.locator('button.ack').filter({ hasText: `signed, key ${seed.northKeyId}` }).click();
  const receipt = detail.locator('.ack-result[data-signed="true"]');
  await receipt.waitFor({ timeout: kTimeout });
  console.log(`  receipt: ${await receipt.innerText()}`);
  assert.ok((await receipt.innerText()).includes(`the server verified key ${seed.northKeyId}`));
  await shot(north, 'north-ack-signed');
  const view = await api(server, 'AID', 'GET', '/v1/sites/field-hospital-1');
  const northStatus = view.recipient_status.find((r) => r.party === 'NORTH');
  assert.equal(northStatus.signature_valid, true, "the notifier's record says NORTH's signature is valid");
  assert.equal(northStatus.key_id, seed.northKeyId);
}

/** SOUTH's message acknowledged in NORTH's page with the loaded key; "verify" on the message. */
export async function signedHotlineAck({ north, server, channel, seed, shot }) {
  const subject = `Signed receipt please ${Date.now()}`;
  await api(server, 'SOUTH', 'POST', `/v1/channels/${channel.id}/messages`, { id: crypto.randomUUID(), priority: 'immediate', subject, body: 'Acknowledge with your key.' });
  await openTab(north, 'hotline');
  await north.selectOption('#channel-select', channel.id);
  const msg = north.locator('#messages li.msg').filter({ hasText: subject });
  await msg.locator('button.ack').filter({ hasText: `signed, key ${seed.northKeyId}` }).click();
  await msg.locator('.recipients[data-signed="true"]').waitFor({ timeout: kTimeout });
  console.log(`  NORTH: ${await msg.locator('.recipients').innerText()}`);
  const { messages } = await api(server, 'SOUTH', 'GET', `/v1/channels/${channel.id}/messages`);
  const ack = messages.find((m) => m.subject === subject).acknowledged[0];
  assert.equal(ack.signed, true, 'the server verified the signature');
  assert.equal(ack.key_id, seed.northKeyId);
  await shot(north, 'north-hotline-signed-ack');
  await msg.locator('button.verify-item').click();
  const verdict = north.locator('#verify-result .verdict');
  await verdict.waitFor({ timeout: kTimeout });
  assert.equal(await verdict.getAttribute('data-verdict'), 'verified');
  console.log(`  verify on the message: ${await verdict.innerText()}`);
}

/**
 * An air strike at the hospital while NORTH flies over it opens a case; UNMO finds it verified
 * (signed, `incidents finding`), SOUTH replies. NORTH's incidents pane filters by status, shows
 * the finding and the statement, verifies the finding; the cases pane shows the case with
 * NORTH's signed receipt, its operation and its response, and flies to its place.
 */
export async function incidentsAndCases({ north, server, bin, seed, shot }) {
  await api(server, 'NORTH', 'PUT', `/v1/operations/${crypto.randomUUID()}`, {
    state: 'Accepted', key: [seed.site.ovn], label: 'hospital pass',
    extents: [{ volume: { outline_circle: { center: kHospital, radius: { value: 2000, units: 'M' } }, altitude_lower: { value: 0, reference: 'W84', units: 'M' }, altitude_upper: { value: 1000, reference: 'W84', units: 'M' } },
      time_start: { value: at(60000), format: 'RFC3339' }, time_end: { value: at(40 * 60000), format: 'RFC3339' } }],
  });
  await new Promise((r) => setTimeout(r, 1100)); // a strike opens a case only after the notification (whole seconds)
  await api(server, 'MONITOR', 'PUT', '/v1/incidents/strike-1', {
    occurred_at: at(), location: { lat: 35.2205, lng: 38.6201 }, event_type: 'Explosions/Remote violence', sub_event_type: 'Air/drone strike',
    alleged_party: 'SOUTH', fatalities: { best: 2 }, location_name: 'Field hospital 1', notes: 'Strike reported by the monitor.',
  });
  await cli(bin, ['incidents', 'finding', '--url', server.url, '--token', server.tokens.UNMO, '--id', 'strike-1', '--finding', 'verified',
    '--confidence', 'high', '--attributed-party', 'SOUTH', '--notes', 'crater analysis', '--key', seed.keys.unmo]);
  await api(server, 'SOUTH', 'POST', '/v1/incidents/strike-1/statements', { text: 'No aircraft of ours flew there.' });
  await api(server, 'NORTH', 'POST', '/v1/cases/strike-1/responses', { text: 'Our pass was at 800 m, no ordnance.' });

  await openTab(north, 'incidents');
  await north.click('#incident-filters button[type=submit]');
  const rows = north.locator('#incident-list li.record');
  await rows.filter({ hasText: 'strike-1' }).waitFor({ timeout: kTimeout });
  assert.ok(await rows.count() >= 2, 'the strike and the test incident are listed');
  await north.selectOption('#inc-status', 'verified');
  assert.deepEqual(await rows.locator('.row-title').allInnerTexts(), ['strike-1: Air/drone strike']);
  await rows.first().locator('button.row-open').click();
  const detail = north.locator('#incident-detail');
  await detail.locator('.finding[data-finding="verified"]').waitFor({ timeout: kTimeout });
  const text = await detail.innerText();
  assert.match(text, /UNMO: verified/);
  assert.match(text, /signed with key [0-9a-f]{16}/);
  assert.match(text, /SOUTH: No aircraft of ours flew there\./);
  await detail.locator('.finding').scrollIntoViewIfNeeded();
  await shot(north, 'north-incident-detail');
  await detail.locator('.finding button.verify-item').click();
  const verdict = north.locator('#verify-result .verdict');
  await verdict.waitFor({ timeout: kTimeout });
  assert.equal(await verdict.getAttribute('data-verdict'), 'verified', "the finding's ledger entry verifies");

  await eventually('the case listed', async () => (await api(server, 'NORTH', 'GET', '/v1/cases')).cases.length > 0, kTimeout);
  await openTab(north, 'cases');
  const kase = north.locator('#case-list li[data-id="strike-1"]');
  await kase.waitFor({ timeout: kTimeout }); // case.opened reloads the list
  await kase.locator('button.row-open').click();
  const cd = north.locator('#case-detail');
  await cd.locator('.recipient[data-party="NORTH"]').waitFor({ timeout: kTimeout });
  const ct = await cd.innerText();
  console.log(`  case: ${ct.split('\n').slice(0, 3).join(' | ')}`);
  assert.match(ct, new RegExp(`NORTH \\(field-hospital-1 v1\\): delivered .* signed \\(key ${seed.northKeyId}\\)`));
  assert.match(ct, /NORTH [0-9a-f-]{36} v1 Accepted/);
  assert.match(ct, /NORTH: Our pass was at 800 m, no ordnance\./);
  await cd.locator('button.show-on-map').click();
  await north.locator('#map[data-highlight="case/strike-1"]').waitFor({ timeout: kTimeout });
  await north.locator('#map[data-map-idle="true"]').waitFor({ timeout: kTimeout });
  await cd.locator('.recipient[data-party="NORTH"]').scrollIntoViewIfNeeded();
  await shot(north, 'north-case-on-map');
}

/** SOUTH's agreements pane: the territory it approved, its decisions and the agreement. */
export async function agreements({ south, shot }) {
  await openTab(south, 'agreements');
  const row = south.locator('#proposal-list li[data-id="host-territory"]');
  await row.waitFor({ timeout: kTimeout });
  assert.match(await row.innerText(), /territory of HOST/);
  await row.locator('button.row-open').click();
  const detail = south.locator('#proposal-detail');
  await detail.locator('.agreement-version').waitFor({ timeout: kTimeout });
  const text = await detail.innerText();
  assert.match(text, /Agreement territory\/HOST/);
  for (const p of ['HOST', 'NORTH', 'SOUTH']) assert.match(text, new RegExp(`${p}: approve`));
  await detail.locator('button.show-on-map').click();
  await south.locator('#map[data-highlight="proposal/host-territory"]').waitFor({ timeout: kTimeout });
  await south.fill('#list-name', 'designated-groups');
  await south.click('#list-form button[type=submit]');
  await south.locator('#agreed-list').filter({ hasText: 'List designated-groups' }).waitFor({ timeout: kTimeout });
  await south.locator('#map[data-map-idle="true"]').waitFor({ timeout: kTimeout });
  await shot(south, 'south-agreement-territory');
}
