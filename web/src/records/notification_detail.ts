// records/notification_detail.ts: one site or movement (GET /v1/sites/{id}, /v1/movements/{id}):
// its fields and versions; for the notifier and guarantors every recipient's delivered and
// acknowledged times and whether its signature verified (a recipient sees its own), and for the
// notifier who read it (GET .../reads). A recipient acknowledges here (POST .../ack), signed
// with the loaded key when there is one: the receipt says whether the server verified it.
// Reading the details as a recipient is itself recorded (its delivery).
import type { Geometry } from 'geojson';
import type { Schemas } from '../api/client';
import { el } from '../dom';
import { pointAndRadius } from '../map/highlight';
import type { PartyKey } from '../signing/party_key';
import type { Session } from '../session';
import { button, detailHead, errorLine, failure, fields, focusDetail, isObj, num, objs, section, str, strs, time, verifyButton, type Obj, type Verify } from './view';

type PlaceAck = Schemas['PlaceAck'];
type PlaceType = 'site' | 'movement';

/** What the detail needs from the rest of the console. */
export interface PlaceContext {
  verify: Verify;
  showOnMap: (key: string, label: string, geometries: Geometry[]) => void;
  signer: () => PartyKey | null;
}

/** The geometries a place is drawn with: a site's point and buffer or polygon, a route. */
export function placeGeometries(geometry: unknown, props: Obj): Geometry[] {
  if (!isObj(geometry) || typeof geometry.type !== 'string' || !Array.isArray(geometry.coordinates)) return [];
  const g = geometry as unknown as Geometry;
  if (g.type === 'Point') {
    const [lng, lat] = g.coordinates;
    if (lng === undefined || lat === undefined) return [];
    return pointAndRadius(lat, lng, num(props, 'buffer_m'));
  }
  return [g];
}

export class NotificationDetail {
  private current: { type: PlaceType; id: string } | null = null;
  private lastAck: { key: string; ack: PlaceAck } | null = null;

  constructor(
    private readonly session: Session,
    private readonly context: PlaceContext,
    private readonly root: HTMLElement,
  ) {}

  open(type: PlaceType, id: string): void {
    this.current = { type, id };
    void this.load(true);
  }

  /** Loads the open place again (after an event or an acknowledgement). */
  reload(): void {
    if (this.current) void this.load(false);
  }

  private close(): void {
    this.current = null;
    this.root.replaceChildren();
  }

  private async fetch(type: PlaceType, id: string): Promise<[Obj, Obj[] | null]> {
    const api = this.session.api;
    const view: unknown = type === 'site'
      ? await api.call('get', '/v1/sites/{id}', { path: { id } })
      : await api.call('get', '/v1/movements/{id}', { path: { id } });
    const place = isObj(view) ? view : {};
    if (str(place, 'notifier') !== this.session.party) return [place, null];
    const reads: unknown = type === 'site'
      ? await api.call('get', '/v1/sites/{id}/reads', { path: { id } })
      : await api.call('get', '/v1/movements/{id}/reads', { path: { id } });
    return [place, isObj(reads) ? objs(reads.reads) : []];
  }

  private async load(focus: boolean): Promise<void> {
    const at = this.current;
    if (!at) return;
    try {
      const [place, reads] = await this.fetch(at.type, at.id);
      if (this.current !== at) return;
      this.root.replaceChildren(...this.render(at.type, place, reads));
    } catch (e) {
      this.root.replaceChildren(detailHead(`${at.type} ${at.id}`, () => this.close()), errorLine(failure(e)));
    }
    if (focus) focusDetail(this.root);
  }

  private render(type: PlaceType, p: Obj, reads: Obj[] | null): Node[] {
    const me = this.session.party;
    const id = str(p, 'id');
    const name = str(p, 'name') || id;
    const key = `${type}/${id}`;
    const geometry = type === 'site' ? p.location : p.route;
    const map = button('Map', () => this.context.showOnMap(key, name, placeGeometries(geometry, p)), { class: 'secondary show-on-map' });
    const head = detailHead(`${type === 'site' ? 'Site' : 'Movement'}: ${name}`, () => this.close(), map, verifyButton(num(p, 'ledger_index'), this.context.verify));
    const window_ = type === 'site' ? `${time(str(p, 'valid_from'))} → ${time(str(p, 'valid_to'))}` : `${time(str(p, 'time_start'))} → ${time(str(p, 'time_end'))}`;
    const info = fields([
      ['id', id],
      ['kind', type === 'site' ? str(p, 'kind') : `${str(p, 'vehicles') || '?'} vehicles${str(p, 'markings') ? `, ${str(p, 'markings')}` : ''}`],
      ['version', `${str(p, 'version')} (${str(p, 'change')})${p.live === false ? ' · no longer live' : ''}`],
      ['notifier', str(p, 'notifier')],
      ['recipients', strs(p, 'recipients').join(', ')],
      [type === 'site' ? 'valid' : 'window', window_],
      [type === 'site' ? 'buffer' : 'corridor', `${str(p, type === 'site' ? 'buffer_m' : 'corridor_m')} m`],
      ['notes', str(p, 'notes')],
      ['acknowledge by', time(str(p, 'ack_deadline'))],
      ['overdue', str(p, 'overdue_at') ? `${time(str(p, 'overdue_at'))}${str(p, 'escalated_to') ? `, escalated to ${str(p, 'escalated_to')}` : ''}` : ''],
      ['settled', str(p, 'settled_at') ? time(str(p, 'settled_at')) : ''],
      ['ovn', str(p, 'ovn')],
      ['digest', str(p, 'digest')],
    ]);
    const statuses = objs(p.recipient_status);
    const mine = strs(p, 'recipients').includes(me) && str(p, 'notifier') !== me ? this.myAck(type, p, statuses.find((r) => str(r, 'party') === me)) : null;
    const recipients = section('Recipients', statuses.map((r) => this.recipientLine(r)), 'not shown to you');
    const history = section('Versions', objs(p.history).map((v) =>
      el('span', {}, `v${str(v, 'version')} ${str(v, 'change')} ${time(str(v, 'created_at'))} `, verifyButton(num(v, 'ledger_index'), this.context.verify))));
    const readList = reads === null ? null : section('Reads (who read it, refused attempts)', reads.map((r) =>
      el('span', { class: r.refused === true ? 'refused' : '' }, `${str(r, 'party')} ${r.refused === true ? 'refused' : `read v${str(r, 'version')}`} at ${time(str(r, 'at'))}`)), 'nobody has read it');
    return [head, info, mine, recipients, readList, history].filter((n): n is HTMLElement => n !== null);
  }

  private recipientLine(r: Obj): HTMLElement {
    const acked = str(r, 'acknowledged_at');
    const signature = !acked ? '' : r.signature_valid === true ? ` · signature valid (key ${str(r, 'key_id')})` : ' · unsigned';
    return el('span', { class: 'recipient', 'data-party': str(r, 'party'), 'data-signature-valid': String(r.signature_valid === true) },
      `${str(r, 'party')}: delivered ${time(str(r, 'delivered_at'))} · acknowledged ${time(acked)}${signature} `,
      verifyButton(num(r, 'ack_ledger_index'), this.context.verify));
  }

  /** The caller's own receipt, and "Acknowledge" while it has not. */
  private myAck(type: PlaceType, p: Obj, status: Obj | undefined): HTMLElement {
    const key = `${type}/${str(p, 'id')}`;
    const error = errorLine();
    const last = this.lastAck?.key === key ? this.lastAck.ack : null;
    const result = last
      ? el('p', { class: 'ack-result', 'data-signed': String(last.signed ?? false), role: 'status' },
          `Acknowledged v${last.version ?? '?'} at ${time(last.at ?? '')}: ${last.signed ? `signed, the server verified key ${last.key_id ?? '?'}` : 'unsigned'} (ledger #${last.ledger_index ?? '?'})`)
      : null;
    const acked = str(status, 'acknowledged_at');
    const line = acked
      ? `You acknowledged at ${time(acked)}${status?.signature_valid === true ? ` · signature valid (key ${str(status, 'key_id')})` : ' · unsigned'}`
      : 'You have not acknowledged this version.';
    const signer = this.context.signer();
    const ack = acked ? null : button(signer ? `Acknowledge (signed, key ${signer.keyId})` : 'Acknowledge (unsigned)', () => {
      ack?.setAttribute('disabled', '');
      this.acknowledge(type, p, error).finally(() => ack?.removeAttribute('disabled'));
    }, { class: 'ack' });
    return el('section', { class: 'detail-section my-ack' }, el('h3', {}, 'Your receipt'), el('p', {}, line), result, ack, error);
  }

  private async acknowledge(type: PlaceType, p: Obj, error: HTMLElement): Promise<void> {
    const id = str(p, 'id');
    const version = num(p, 'version');
    const statement = isObj(p.ack_statement) ? p.ack_statement : {};
    error.textContent = '';
    try {
      const signer = this.context.signer();
      // No key_id: the server tries the party's active keys and names the one that verified.
      const signed = signer ? await signer.sign(str(statement, 'kind'), str(statement, 'object_id'), str(statement, 'object_digest'), this.session.party) : {};
      const body = { ...signed, ...(version !== undefined ? { version } : {}) };
      const ack = type === 'site'
        ? await this.session.api.call('post', '/v1/sites/{id}/ack', { path: { id }, body })
        : await this.session.api.call('post', '/v1/movements/{id}/ack', { path: { id }, body });
      this.lastAck = { key: `${type}/${id}`, ack };
      await this.load(false);
    } catch (e) {
      error.textContent = failure(e);
    }
  }
}
