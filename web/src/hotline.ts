// hotline.ts: the hotline pane. Channels come from GET /v1/channels; each channel's messages
// from GET /v1/channels/{id}/messages (all pages), fetched again whenever an event names the
// channel. Sending picks the message id once and keeps it until the server answers, so a retry
// after a lost answer is the same message (the API answers it, not sends it twice).
import { ApiError, describeError, type Schemas } from './api/client';
import { byId, el } from './dom';
import { countdownText, messageItem, needsMyAck, ordered, type Message } from './hotline_view';
import { showError } from './notices';
import type { Session } from './session';
import type { PartyKey } from './signing/party_key';

type Channel = Schemas['Channel'];
type Priority = Schemas['MessageRequest']['priority'];
type DomainEvent = Schemas['Event'];

const kPriorities: readonly Priority[] = ['flash', 'immediate', 'priority', 'routine'];
const isPriority = (v: unknown): v is Priority => kPriorities.some((p) => p === v);

function newUuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Hotline {
  private channels: Channel[] = [];
  private readonly messages = new Map<string, Message[]>();
  private selected = '';
  private sendId: string | null = null;
  private readonly select = byId('channel-select', HTMLSelectElement);
  private readonly list = byId('messages', HTMLOListElement);
  private readonly info = byId('channel-info', HTMLElement);
  private readonly form = byId('send-form', HTMLFormElement);
  private readonly timer: number;
  /** The last refusal of an acknowledgement, by message id, shown on the message. */
  private readonly ackErrors = new Map<string, string>();

  constructor(
    private readonly session: Session,
    private readonly signer: () => PartyKey | null = () => null,
    private readonly onVerify: (index: number) => void = () => {},
  ) {
    this.select.addEventListener('change', () => {
      this.selected = this.select.value;
      this.render();
    });
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  dispose(): void {
    window.clearInterval(this.timer);
  }

  async refreshChannels(): Promise<void> {
    const answer = await this.session.api.call('get', '/v1/channels');
    this.channels = answer.channels;
    if (!this.channels.some((c) => c.id === this.selected)) this.selected = this.channels[0]?.id ?? '';
    await Promise.all(this.channels.map((c) => this.refreshChannel(c.id)));
    this.render();
  }

  /** Fetches every message of one channel again (deliveries and acknowledgements change). */
  async refreshChannel(id: string): Promise<void> {
    const all: Message[] = [];
    let after = 0;
    for (;;) {
      const page = await this.session.api.call('get', '/v1/channels/{id}/messages', {
        path: { id },
        query: { after, limit: 1000 },
      });
      all.push(...page.messages);
      if (page.messages.length === 0 || page.next_after === after) break;
      after = page.next_after;
    }
    this.messages.set(id, all);
    this.render();
  }

  /** Events of the stream that concern the hotline. */
  onEvent(e: DomainEvent): void {
    if (!e.type.startsWith('hotline.')) return;
    const known = e.channel !== undefined && this.channels.some((c) => c.id === e.channel);
    const work = e.type.startsWith('hotline.channel.') || !known || !e.channel
      ? this.refreshChannels()
      : this.refreshChannel(e.channel);
    work.catch((err: unknown) => showError('Hotline', err));
  }

  private async send(): Promise<void> {
    const data = new FormData(this.form);
    const channel = this.selected;
    if (!channel) {
      showError('Send', new Error('no channel: you are a member of none'));
      return;
    }
    const priority = data.get('priority');
    if (!isPriority(priority)) {
      showError('Send', new Error(`unknown priority ${String(priority)}`));
      return;
    }
    this.sendId ??= newUuid();
    const body = {
      id: this.sendId,
      priority,
      subject: String(data.get('subject') ?? ''),
      body: String(data.get('body') ?? ''),
    };
    const button = this.form.querySelector('button[type=submit]');
    if (button instanceof HTMLButtonElement) button.disabled = true;
    try {
      await this.session.api.call('post', '/v1/channels/{id}/messages', { path: { id: channel }, body });
      this.sendId = null;
      this.form.reset();
      await this.refreshChannel(channel);
    } catch (e) {
      // The server refused this content: the next attempt is a new message. A lost answer
      // (no ApiError) keeps the id so that the retry cannot send twice.
      if (e instanceof ApiError) this.sendId = null;
      showError('Send', e);
    } finally {
      if (button instanceof HTMLButtonElement) button.disabled = false;
    }
  }

  /** Relabels the acknowledge buttons (a key was loaded or forgotten). */
  keyChanged(): void {
    this.render();
  }

  /**
   * Acknowledges `m`, signed with the loaded key when there is one: the statement of
   * docs/acknowledgements.md (kind hotline.message, object id <channel>/<seq>, the message's
   * digest). No key_id is sent: the server tries the party's active keys and names the one that
   * verified in the receipt; a signature none verifies is its 400, shown as written.
   */
  private async acknowledge(m: Message): Promise<void> {
    this.ackErrors.delete(m.id);
    try {
      const key = this.signer();
      const body = key ? await key.sign('hotline.message', m.object_id ?? `${m.channel}/${m.seq}`, m.digest, this.session.party) : undefined;
      await this.session.api.call('post', '/v1/channels/{id}/messages/{msg}/ack', {
        path: { id: m.channel, msg: String(m.seq) },
        body,
      });
    } catch (e) {
      this.ackErrors.set(m.id, `${e instanceof ApiError ? `${e.status}: ` : ''}${describeError(e)}`);
    }
    await this.refreshChannel(m.channel).catch((e: unknown) => showError('Hotline', e));
  }

  private render(): void {
    const me = this.session.party;
    const options = this.channels.map((c) => {
      const owed = (this.messages.get(c.id) ?? []).filter((m) => needsMyAck(m, me)).length;
      const label = `${c.name}${owed ? ` · ${owed} to acknowledge` : ''}${c.suspended ? ' · suspended' : ''}`;
      return el('option', { value: c.id, selected: c.id === this.selected }, label);
    });
    this.select.replaceChildren(...options);
    this.select.disabled = this.channels.length === 0;
    const channel = this.channels.find((c) => c.id === this.selected);
    if (!channel) {
      this.info.textContent = 'You are a member of no channel.';
      this.list.replaceChildren();
      return;
    }
    const suspension = channel.suspended
      ? ` · suspended by ${channel.suspension?.by ?? '?'}: ${channel.suspension?.reason ?? ''}`
      : '';
    this.info.textContent = `${channel.id} · members ${channel.members.join(', ')}${suspension}`;
    const messages = ordered(this.messages.get(channel.id) ?? [], me);
    this.list.replaceChildren(
      ...(messages.length
        ? messages.map((m) => messageItem(m, me, {
          onAck: (x) => void this.acknowledge(x),
          ackLabel: this.signer() ? `Acknowledge (signed, key ${this.signer()?.keyId ?? ''})` : 'Acknowledge',
          onVerify: this.onVerify,
          error: this.ackErrors.get(m.id),
        }))
        : [el('li', { class: 'empty' }, 'No messages yet.')]),
    );
  }

  private tick(): void {
    const now = Date.now();
    for (const node of this.list.querySelectorAll<HTMLElement>('.countdown')) {
      const deadline = node.dataset.deadline;
      if (!deadline) continue;
      node.textContent = countdownText(deadline, now);
      node.classList.toggle('overdue', Date.parse(deadline) < now);
    }
  }
}
