// tests/harness.mjs: the processes a browser test needs: a real `deconflict serve --demo` on a
// free port with a fresh store (its banner gives the demo parties' tokens), and, until the
// binary serves web/dist itself, `vite preview` in front of it proxying /v1 (HTTP and WebSocket).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, probe, timeoutMs, child) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode})`);
    try {
      const v = await probe();
      if (v) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

function spawnServer(bin, args) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = { out: '', err: '' };
  child.stdout.on('data', (b) => (logs.out += b));
  child.stderr.on('data', (b) => (logs.err += b));
  return { child, logs };
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/**
 * Starts `deconflict serve --demo` (with `--web-root webRoot` when given: the binary serves the
 * page); resolves with its URL, the tokens by party, restart() (the same store and port, so
 * event sequences and tokens survive) and stop().
 */
export async function startServer(bin, webRoot) {
  if (!existsSync(bin)) throw new Error(`no deconflict binary at ${bin} (set DECONFLICT_BIN)`);
  const data = await mkdtemp(join(tmpdir(), 'deconflict-web-'));
  const port = await freePort();
  const args = ['serve', '--data', data, '--listen', `127.0.0.1:${port}`, ...(webRoot ? ['--web-root', webRoot] : [])];
  let { child, logs } = spawnServer(bin, [...args, '--demo']);
  const out = () => logs.out;
  const err = () => logs.err;
  const url = `http://127.0.0.1:${port}`;
  const tokens = {};
  try {
    // The banner line scripts/demo.sh reads: "  NORTH  (operator ) token: <token>".
    await waitFor('demo banner', () => {
      for (const m of out().matchAll(/^\s*(\S+)\s*\([^)]*\) token: (\S+)\s*$/gm)) tokens[m[1]] = m[2];
      return tokens.NORTH && tokens.SOUTH;
    }, 20000, child);
    await waitFor('GET /v1/health', async () => (await fetch(`${url}/v1/health`)).ok, 10000, child);
  } catch (e) {
    child.kill();
    throw new Error(`${e.message}\nstdout:\n${out()}\nstderr:\n${err()}`);
  }
  return {
    url,
    tokens,
    data,
    log: err,
    async restart() {
      await stopChild(child);
      ({ child, logs } = spawnServer(bin, args));
      await waitFor('GET /v1/health after restart', async () => (await fetch(`${url}/v1/health`)).ok, 20000, child);
    },
    async stop() {
      await stopChild(child);
      await rm(data, { recursive: true, force: true });
    },
  };
}

/** Starts `vite preview` of web/dist on `port` (default a free one), proxying /v1 to `api`. */
export async function startPreview(webDir, api, port) {
  if (!existsSync(join(webDir, 'dist', 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build` first');
  }
  port ??= await freePort();
  const vite = join(webDir, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: webDir,
    env: { ...process.env, DECONFLICT_API: api },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (b) => (log += b));
  child.stderr.on('data', (b) => (log += b));
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitFor('vite preview', async () => (await fetch(url)).ok, 20000, child);
  } catch (e) {
    child.kill();
    throw new Error(`${e.message}\n${log}`);
  }
  return {
    url,
    port,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

/** A call to the API as a party, for the test's set-up and its checks behind the page. */
export async function api(server, party, method, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${server.tokens[party]}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} as ${party}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** `deconflict sim feed` for one party of two (scripts/demo.sh's traffic: pairs set to meet). */
export function startFeed(bin, server, party, index) {
  const child = spawn(bin, ['sim', 'feed', '--url', server.url, '--token', server.tokens[party], '--n', '16',
    '--parties', '2', '--party', String(index), '--meeting-pairs', '4', '--seed', '7', '--duration', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (b) => (log += b));
  return {
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Polls `probe` every 500 ms until it returns a truthy value. */
export async function eventually(what, probe, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** Runs the deconflict CLI; resolves with its stdout and stderr (rejects with them on failure). */
export function cli(bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.once('exit', (code) => (code === 0 ? resolve(`${out}${err}`) : reject(new Error(`deconflict ${args.join(' ')}: exit ${code}\n${err}`))));
  });
}

/** Adds a party to the running server's store (`party add --data`); keeps its token. */
export async function addParty(bin, server, id, role) {
  const out = await cli(bin, ['party', 'add', '--data', server.data, '--id', id, '--name', id, '--role', role]);
  const token = /^token: (\S+)$/m.exec(out)?.[1];
  if (!token) throw new Error(`party add ${id}: no token in\n${out}`);
  server.tokens[id] = token;
  return token;
}
