// encounters_pane.ts: the open encounters (GET /v1/encounters?state=open, loaded by Traffic)
// as a list: the two parties, the time to the closest point of approach counting down each
// second, the predicted miss distances, who has not acknowledged yet, and, for a party of the
// encounter that has not, "Acknowledge" (POST /v1/encounters/{id}/ack with {}). The map's line
// flashes until the caller acknowledged (map/traffic.ts).
import { ApiError, describeError, type Schemas } from './api/client';
import { byId, el, formatDuration } from './dom';
import type { Session } from './session';

type Encounter = Schemas['Encounter'];

/** Seconds from `nowMs` to the predicted closest approach (negative: it has passed). */
export function secondsToCpa(e: Encounter, nowMs: number): number | null {
  const p = e.prediction;
  if (!p?.at || p.tcpa_s === undefined) return null;
  return p.tcpa_s - (nowMs - Date.parse(p.at)) / 1000;
}

export function cpaText(e: Encounter, nowMs: number): string {
  const s = secondsToCpa(e, nowMs);
  if (s === null || Number.isNaN(s)) return 'CPA unknown';
  return s >= 0 ? `CPA in ${formatDuration(Math.round(s))}` : `CPA passed ${formatDuration(Math.round(-s))} ago`;
}

/** The parties of the encounter that have not acknowledged it. */
export function notAcknowledged(e: Encounter): string[] {
  const acked = new Set((e.acknowledgements ?? []).map((a) => a.party));
  return (e.parties ?? []).filter((p) => !acked.has(p));
}

const metres = (v: number | undefined): string =>
  v === undefined ? '?' : Math.abs(v) >= 10000 ? `${(v / 1000).toFixed(1)} km` : `${Math.round(v)} m`;

export class EncountersPane {
  private readonly list = byId('encounter-list', HTMLOListElement);
  private readonly badge = byId('encounters-badge', HTMLElement);
  private encounters: Encounter[] = [];
  private readonly timer: number;

  constructor(
    private readonly session: Session,
    private readonly onAcknowledged: () => Promise<void>,
    private readonly onShow: (e: Encounter) => void,
  ) {
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  dispose(): void {
    window.clearInterval(this.timer);
  }

  /** The open encounters as Traffic last loaded them. */
  show(encounters: Encounter[]): void {
    const me = this.session.party;
    const owed = (e: Encounter): boolean => notAcknowledged(e).includes(me);
    // Owed by me first, then by time to CPA.
    this.encounters = [...encounters].sort((a, b) =>
      Number(owed(b)) - Number(owed(a)) || (secondsToCpa(a, Date.now()) ?? 0) - (secondsToCpa(b, Date.now()) ?? 0));
    const mine = this.encounters.filter(owed).length;
    this.badge.textContent = mine ? String(mine) : '';
    this.badge.hidden = !mine;
    if (!this.encounters.length) {
      this.list.replaceChildren(el('li', { class: 'empty' }, 'No open encounters.'));
      return;
    }
    this.list.replaceChildren(...this.encounters.map((e) => this.item(e)));
  }

  private item(e: Encounter): HTMLLIElement {
    const me = this.session.party;
    const waiting = notAcknowledged(e);
    const owed = waiting.includes(me);
    const p = e.prediction;
    const ack = owed ? el('button', { type: 'button', class: 'ack' }, 'Acknowledge') : null;
    const error = el('p', { class: 'error', role: 'alert' });
    ack?.addEventListener('click', () => {
      ack.disabled = true;
      this.acknowledge(e, error).finally(() => (ack.disabled = false));
    });
    const showButton = el('button', { type: 'button', class: 'secondary' }, 'Show on map');
    showButton.addEventListener('click', () => this.onShow(e));
    return el('li', { class: `encounter${owed ? ' owed' : ''}`, 'data-id': String(e.id ?? '') },
      el('div', { class: 'msg-head' },
        el('span', { class: 'subject' }, `Encounter #${e.id ?? '?'}: ${(e.parties ?? []).join(' ↔ ')}`),
        el('span', { class: 'countdown', 'data-cpa': '' }, cpaText(e, Date.now()))),
      el('div', { class: 'msg-meta' }, `miss ${metres(p?.dcpa_m)} · vertical ${metres(p?.vertical_separation_m)} · now ${metres(p?.distance_m)} apart`),
      el('div', { class: 'recipients' }, waiting.length
        ? `Not acknowledged by ${waiting.map((w) => (w === me ? `${w} (you)` : w)).join(', ')}`
        : 'Acknowledged by every party'),
      el('div', { class: 'row' }, ack, showButton),
      error);
  }

  private async acknowledge(e: Encounter, error: HTMLElement): Promise<void> {
    if (e.id === undefined) return;
    error.textContent = '';
    try {
      await this.session.api.call('post', '/v1/encounters/{id}/ack', { path: { id: e.id }, body: {} });
      await this.onAcknowledged();
    } catch (err) {
      error.textContent = `${err instanceof ApiError ? `${err.status}: ` : ''}${describeError(err)}`;
    }
  }

  private tick(): void {
    const items = this.list.querySelectorAll<HTMLElement>('li.encounter');
    items.forEach((li, i) => {
      const e = this.encounters[i];
      const c = li.querySelector('[data-cpa]');
      if (e && c) c.textContent = cpaText(e, Date.now());
    });
  }
}
