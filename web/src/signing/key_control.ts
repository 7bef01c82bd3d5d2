// signing/key_control.ts: the header's signing-key control. "Load signing key…" reads a key file
// the user picks (signing/party_key.ts), "Forget key" drops it; while one is loaded every
// acknowledgement the page sends (hotline messages, notifications) is signed with it. Whether
// the server accepts the signature shows on the acknowledgement (its `signed` flag), and a
// refusal shows the server's message.
import { describeError } from '../api/client';
import { byId } from '../dom';
import { loadPartyKey, type PartyKey } from './party_key';

export class KeyControl {
  private key: PartyKey | null = null;
  private readonly load = byId('key-load', HTMLButtonElement);
  private readonly file = byId('key-file', HTMLInputElement);
  private readonly status = byId('key-status', HTMLElement);
  private readonly forget = byId('key-forget', HTMLButtonElement);
  private readonly listeners: (() => void)[] = [];

  constructor() {
    this.load.hidden = false;
    this.load.addEventListener('click', () => this.file.click());
    this.file.addEventListener('change', () => void this.read());
    this.forget.addEventListener('click', () => {
      this.key = null;
      this.show('');
      this.load.focus();
    });
  }

  /** The loaded key, or null: acknowledgements are then unsigned. */
  current(): PartyKey | null {
    return this.key;
  }

  /** Called whenever a key is loaded or forgotten (panes relabel their buttons). */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private async read(): Promise<void> {
    const f = this.file.files?.[0];
    this.file.value = '';
    if (!f) return;
    try {
      this.key = await loadPartyKey(await f.text());
      this.show('');
    } catch (e) {
      this.key = null;
      this.show(`${f.name}: ${describeError(e)}`);
    }
  }

  private show(error: string): void {
    const k = this.key;
    this.status.hidden = false;
    this.status.dataset.state = k ? 'loaded' : error ? 'error' : 'none';
    this.status.dataset.keyId = k?.keyId ?? '';
    this.status.textContent = k ? `signing with key ${k.keyId}` : error || 'acknowledgements unsigned';
    this.status.title = k ? `public key ${k.publicKey} (kept in this tab's memory only)` : '';
    this.forget.hidden = !k;
    this.load.textContent = k ? 'Load another key…' : 'Load signing key…';
    for (const fn of this.listeners) fn();
  }
}
