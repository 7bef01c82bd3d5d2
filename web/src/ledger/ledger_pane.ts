// ledger/ledger_pane.ts: the ledger pane: the newest checkpoint (GET /v1/ledger/checkpoint, a
// signed note) with its signature lines, and "verify" for one entry index: the page fetches the
// entry's leaf (GET /v1/ledger/entries), its inclusion proof in the checkpoint's tree (GET
// /v1/ledger/proofs/inclusion?size=N) and checks in the browser (verify.ts) that the proof leads
// to the checkpoint's root, that the opening (when the caller is entitled to one) matches the
// leaf, and that the checkpoint is signed by the log's key. The API does not publish that key,
// so the user gives it (`deconflict ledger key --data DIR` prints it); without it the signature
// is reported as not checked, never as verified.
import { ApiError, describeError } from '../api/client';
import { byId, el } from '../dom';
import type { Session } from '../session';
import { commitmentOf, equalBytes, fromBase64, parseCheckpoint, parseVerifierKey, rootFromInclusion, sha256, toHex, verifyCheckpoint, type Checkpoint } from './verify';

const kKeyStorage = 'deconflict.ledgerKey';

/** One check's outcome: true passed, false failed, null not checked. */
interface Check {
  what: string;
  ok: boolean | null;
  detail: string;
}

const failure = (e: unknown): string => `${e instanceof ApiError ? `${e.status}: ` : ''}${describeError(e)}`;

export class LedgerPane {
  private readonly checkpointView = byId('checkpoint', HTMLElement);
  private readonly keyInput = byId('ledger-key', HTMLInputElement);
  private readonly indexInput = byId('ledger-index', HTMLInputElement);
  private readonly result = byId('verify-result', HTMLElement);

  constructor(private readonly session: Session) {
    this.keyInput.value = localStorage.getItem(kKeyStorage) ?? '';
    this.keyInput.addEventListener('change', () => {
      const k = this.keyInput.value.trim();
      if (k) localStorage.setItem(kKeyStorage, k);
      else localStorage.removeItem(kKeyStorage);
    });
    byId('checkpoint-refresh', HTMLButtonElement).addEventListener('click', () => void this.refresh());
    byId('verify-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      void this.verify(Number(this.indexInput.value));
    });
  }

  /** Shows the newest checkpoint. */
  async refresh(): Promise<void> {
    try {
      this.showCheckpoint(parseCheckpoint(await this.session.api.text('/v1/ledger/checkpoint')));
    } catch (e) {
      this.checkpointView.replaceChildren(el('p', { class: 'error', role: 'alert' }, failure(e)));
    }
  }

  /** Fetches and checks entry `index` against the newest checkpoint; shows every check. */
  async verify(index: number): Promise<void> {
    this.indexInput.value = String(index);
    this.result.replaceChildren(el('p', { class: 'info' }, `Verifying entry ${index}…`));
    const checks: Check[] = [];
    try {
      await this.run(index, checks);
    } catch (e) {
      checks.push({ what: 'fetching', ok: false, detail: failure(e) });
    }
    this.showResult(index, checks);
  }

  private async run(index: number, checks: Check[]): Promise<void> {
    const api = this.session.api;
    const checkpoint = parseCheckpoint(await api.text('/v1/ledger/checkpoint'));
    this.showCheckpoint(checkpoint);
    const size = checkpoint.size;
    const [entries, inclusion] = await Promise.all([
      api.call('get', '/v1/ledger/entries', { query: { start: index, end: index + 1 } }),
      api.call('get', '/v1/ledger/proofs/inclusion', { query: { index, size } }),
    ]);
    const entry = entries.entries.find((x) => x.index === index);
    if (!entry) throw new Error(`the server returned no entry ${index}`);
    const leaf = fromBase64(entry.data);

    // The inclusion proof against the signed root.
    try {
      const root = await rootFromInclusion(index, size, leaf, inclusion.proof.map(fromBase64));
      const ok = equalBytes(root, checkpoint.root);
      checks.push({ what: 'inclusion proof', ok, detail: ok
        ? `${inclusion.proof.length} ${inclusion.proof.length === 1 ? 'hash leads' : 'hashes lead'} from the leaf to the root of the checkpoint of size ${size}`
        : `the proof leads to ${toHex(root)}, not the checkpoint's root ${toHex(checkpoint.root)}` });
    } catch (e) {
      checks.push({ what: 'inclusion proof', ok: false, detail: failure(e) });
    }

    // The leaf's content: a commitment opened for entitled callers, or a format-1 entry.
    const digest = commitmentOf(leaf);
    if (!digest) {
      checks.push({ what: 'entry', ok: true, detail: `format 1: the leaf is the entry\n${new TextDecoder().decode(leaf)}` });
    } else if (!entry.opening) {
      checks.push({ what: 'opening', ok: null, detail: 'a salted commitment; this party is not entitled to its opening, so what it records stays hidden' });
    } else {
      const salt = fromBase64(entry.opening.salt);
      const text = fromBase64(entry.opening.entry);
      const ok = equalBytes(await sha256(salt, text), digest);
      checks.push({ what: 'opening', ok, detail: ok
        ? `SHA-256(salt || entry) is the leaf's commitment:\n${new TextDecoder().decode(text)}`
        : 'SHA-256(salt || entry) differs from the commitment in the leaf' });
    }

    // The checkpoint's signature by the log's key.
    const keyText = this.keyInput.value.trim();
    if (!keyText) {
      checks.push({ what: 'checkpoint signature', ok: null, detail: 'not checked: give the log\'s verifier key (`deconflict ledger key`); the API does not publish it' });
      return;
    }
    try {
      const key = await parseVerifierKey(keyText);
      if (key.name !== checkpoint.origin) throw new Error(`the key is ${key.name}'s, the checkpoint's origin is ${checkpoint.origin}`);
      await verifyCheckpoint(checkpoint, key);
      checks.push({ what: 'checkpoint signature', ok: true, detail: `Ed25519 signature of ${key.name} (key id ${toHex(key.keyId)}) verifies over the checkpoint` });
    } catch (e) {
      checks.push({ what: 'checkpoint signature', ok: false, detail: failure(e) });
    }
  }

  private showResult(index: number, checks: Check[]): void {
    const failed = checks.filter((c) => c.ok === false);
    const unchecked = checks.filter((c) => c.ok === null && c.what === 'checkpoint signature');
    const verdict = failed.length ? 'failed' : unchecked.length ? 'partial' : 'verified';
    const title = failed.length
      ? `Entry ${index}: FAILED (${failed.map((c) => c.what).join(', ')})`
      : unchecked.length
        ? `Entry ${index}: included in the log; the checkpoint's signature is not checked`
        : `Entry ${index}: VERIFIED (included under a checkpoint signed by the log's key)`;
    const mark = (ok: boolean | null): string => (ok === true ? '✓' : ok === false ? '✗' : '–');
    this.result.replaceChildren(
      el('div', { class: `verdict ${verdict}`, 'data-verdict': verdict, role: 'status' }, title),
      el('ul', { class: 'checks' }, ...checks.map((c) =>
        el('li', { class: c.ok === true ? 'ok' : c.ok === false ? 'bad' : 'skip' },
          el('span', { class: 'mark' }, mark(c.ok)), el('strong', {}, c.what), el('div', { class: 'detail' }, c.detail)))),
    );
  }

  private showCheckpoint(c: Checkpoint): void {
    const row = (k: string, v: string): HTMLElement[] => [el('dt', {}, k), el('dd', {}, v)];
    this.checkpointView.replaceChildren(
      ...row('origin', c.origin),
      ...row('tree size', String(c.size)),
      ...row('root', toHex(c.root)),
      ...c.signatures.flatMap((s) =>
        row(s.name === c.origin ? 'signed by' : 'cosigned by', `${s.name} (key id ${toHex(s.keyId)})${s.signature.length === 72 ? ' · witness cosignature' : ''}`)),
    );
    this.checkpointView.dataset.size = String(c.size);
    if (c.signatures.length < 2) this.checkpointView.append(el('dt', {}, 'cosignatures'), el('dd', {}, 'none yet'));
  }
}
