// tests/keyboard_steps.mjs: the host's view and the keyboard-only path, in a third page (HOST,
// 1280x800, light theme). Every action in hostByKeyboard is a key press: sign in, the skip
// link, the tabs (arrow keys, Home, End), a detail opened with Enter, a flash message sent.
import assert from 'node:assert/strict';
import { api } from './harness.mjs';
import { canvasColours } from './page.mjs';

const kTimeout = 20000;

const active = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return { id: a?.id ?? '', tag: a?.tagName ?? '', text: (a?.textContent ?? '').trim().slice(0, 80), cls: a?.className ?? '' };
});

/** Presses `key` until the focused element satisfies `want` (at most `max` presses). */
async function pressUntil(page, key, want, max = 30) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const a = await active(page);
    if (want(a)) return a;
  }
  throw new Error(`${key} ×${max} never reached the control`);
}

export async function hostByKeyboard({ browser, pageUrl, server, shot }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const host = await context.newPage();
  host.on('pageerror', (e) => console.log(`  [HOST page error] ${e.message}`));
  try {
    console.log('  sign in with the keyboard');
    await host.goto(pageUrl);
    await host.locator('#token:focus').waitFor({ timeout: kTimeout });
    await host.keyboard.type(server.tokens.HOST);
    await host.keyboard.press('Enter');
    await host.locator('#whoami').filter({ hasText: 'HOST · host' }).waitFor({ timeout: kTimeout });
    await host.locator('#connection[data-state="open"]').waitFor({ timeout: kTimeout });
    assert.equal(await host.evaluate(() => document.documentElement.dataset.theme), 'light');

    console.log("  the host's view: other parties' operations meeting HOST's territory");
    const legend = host.locator('#territory-legend:not([hidden])');
    await legend.waitFor({ timeout: kTimeout });
    const n = Number(await legend.getAttribute('data-operations'));
    console.log(`  ${await legend.innerText()}`);
    const { operations } = await api(server, 'HOST', 'GET', '/v1/territory/operations');
    assert.equal(n, operations.length, 'every operation the API lists is drawn');
    assert.ok(n >= 2, "NORTH's orbit and SOUTH's survey meet the territory");
    const drawn = await canvasColours(host, '#f4a261', 60);
    console.log(`  territory overlaps drawn: ${(drawn.land * 100).toFixed(2)} % of the canvas`);
    assert.ok(drawn.land > 0.001, 'the overlaps are drawn');
    await shot(host, 'host-territory-view');

    console.log('  the skip link, the tabs and a detail with the keyboard');
    assert.equal((await active(host)).id, 'whoami', 'focus continues from who signed in');
    await host.keyboard.press('Tab');
    assert.equal((await active(host)).text, 'Skip to the panes');
    await host.keyboard.press('Enter');
    await host.keyboard.press('Tab');
    assert.equal((await active(host)).id, 'tab-hotline');
    await host.keyboard.press('End');
    assert.equal((await active(host)).id, 'tab-agreements');
    await host.locator('#agreements:not([hidden])').waitFor({ timeout: kTimeout });
    await host.locator('#proposal-list li[data-id="host-territory"]').waitFor({ timeout: kTimeout });
    await pressUntil(host, 'Tab', (a) => a.cls.includes('row-open'));
    await host.keyboard.press('Enter');
    await host.locator('#proposal-detail .detail-title:focus').waitFor({ timeout: kTimeout });
    await shot(host, 'host-keyboard-agreement-detail');
    await pressUntil(host, 'Shift+Tab', (a) => a.id.startsWith('tab-'));
    await host.keyboard.press('Home');
    assert.equal((await active(host)).id, 'tab-hotline');

    console.log('  a flash message sent with the keyboard only');
    await host.keyboard.press('Tab');
    assert.equal((await active(host)).id, 'channel-select');
    assert.equal(await host.inputValue('#channel-select'), 'host-north');
    await host.keyboard.press('Tab');
    assert.equal((await active(host)).id, 'send-priority');
    for (let i = 0; i < 3; i++) await host.keyboard.press('ArrowUp');
    assert.equal(await host.inputValue('#send-priority'), 'flash');
    const subject = `Sent by keyboard ${Date.now()}`;
    await host.keyboard.press('Tab');
    await host.keyboard.type(subject);
    await host.keyboard.press('Tab');
    await host.keyboard.type('Typed without a mouse.');
    await host.keyboard.press('Tab');
    assert.equal((await active(host)).text, 'Send');
    await host.keyboard.press('Enter');
    await host.locator('#messages li.msg').filter({ hasText: subject }).filter({ hasText: 'NORTH:' }).waitFor({ timeout: kTimeout });
    const { messages } = await api(server, 'NORTH', 'GET', '/v1/channels/host-north/messages');
    const sent = messages.find((m) => m.subject === subject);
    assert.equal(sent?.priority, 'flash', 'NORTH holds the flash message');
    await shot(host, 'host-keyboard-sent');
  } finally {
    await context.close();
  }
}
