// records/cases_pane.ts: the automatic cases the caller may see (GET /v1/cases, newest first),
// filtered by state and text; a case's details (GET /v1/cases/{id}): the incident that opened
// it, the notifications in force at its place and time, each recipient's receipts, the
// operations and tracks linked, the respondents, the responses and the close. Every item that
// has a ledger entry offers "verify"; "Map" flies to the case's place.
import type { Schemas } from '../api/client';
import { byId, el } from '../dom';
import type { Session } from '../session';
import { button, detailHead, errorLine, failure, fields, focusDetail, isObj, num, objs, section, showRows, str, time, verifyButton, type Obj, type RowSpec, type Verify } from './view';

type Case = Schemas['Case'];

export interface CaseContext {
  verify: Verify;
  showCase: (id: string, lat: number, lng: number, radiusM: number | undefined) => void;
  openIncident: (id: string) => void;
  openPlace: (type: 'site' | 'movement', id: string) => void;
}

export class CasesPane {
  private cases: Case[] = [];
  private current: string | null = null;
  private readonly list = byId('case-list', HTMLOListElement);
  private readonly state = byId('case-state', HTMLSelectElement);
  private readonly search = byId('case-search', HTMLInputElement);
  private readonly detail = byId('case-detail', HTMLElement);

  constructor(
    private readonly session: Session,
    private readonly context: CaseContext,
  ) {
    for (const c of [this.state, this.search]) c.addEventListener('input', () => this.render());
  }

  async refresh(): Promise<void> {
    this.cases = (await this.session.api.call('get', '/v1/cases')).cases;
    this.render();
    if (this.current) void this.load(false);
  }

  open(id: string): void {
    this.current = id;
    void this.load(true);
  }

  private map(c: { id: string; location?: { lat?: number; lng?: number }; radius_m?: number }): (() => void) | null {
    const { lat, lng } = c.location ?? {};
    return lat !== undefined && lng !== undefined ? () => this.context.showCase(c.id, lat, lng, c.radius_m) : null;
  }

  private render(): void {
    const q = this.search.value.trim().toLowerCase();
    const rows: RowSpec[] = this.cases
      .filter((c) => (!this.state.value || c.state === this.state.value) &&
        (!q || [c.id, c.incident, c.reporter ?? '', c.alleged_party ?? ''].some((s) => s.toLowerCase().includes(q))))
      .map((c) => ({
        id: c.id,
        title: `Case ${c.id}`,
        status: c.state,
        meta: `incident ${c.incident} v${c.incident_version ?? '?'} · occurred ${time(c.occurred_at)}${c.alleged_party ? ` · alleged ${c.alleged_party}` : ''} · ${c.state === 'closed' ? `closed ${time(c.closed_at ?? '')}: ${c.finding ?? ''}` : `responses due ${time(c.response_due_at ?? '')}`}`,
        onOpen: () => this.open(c.id),
        onMap: this.map(c),
        ledgerIndex: c.ledger_index,
      }));
    showRows(this.list, rows, this.context.verify, 'No cases you may see.');
  }

  private async load(focus: boolean): Promise<void> {
    const id = this.current;
    if (!id) return;
    const close = (): void => {
      this.current = null;
      this.detail.replaceChildren();
    };
    try {
      const view = await this.session.api.call('get', '/v1/cases/{id}', { path: { id } });
      if (this.current !== id) return;
      this.detail.replaceChildren(...this.render1(view as unknown as Obj, close));
    } catch (e) {
      this.detail.replaceChildren(detailHead(`Case ${id}`, close), errorLine(failure(e)));
    }
    if (focus) focusDetail(this.detail);
  }

  private render1(v: Obj, close: () => void): Node[] {
    const verify = this.context.verify;
    const v_ = (o: Obj, k = 'ledger_index', label = 'verify'): HTMLButtonElement | null => verifyButton(num(o, k), verify, label);
    const loc = isObj(v.location) ? v.location : {};
    const id = str(v, 'id');
    const lat = num(loc, 'lat');
    const lng = num(loc, 'lng');
    const map = lat !== undefined && lng !== undefined ? button('Map', () => this.context.showCase(id, lat, lng, num(v, 'radius_m')), { class: 'secondary show-on-map' }) : null;
    const closing = isObj(v.close) ? v.close : undefined;
    const incident = str(v, 'incident');
    const info = fields([
      ['state', el('span', { class: `status status-${str(v, 'state')}` }, str(v, 'state'))],
      ['incident', el('span', {}, `${incident} v${str(v, 'incident_version')} reported by ${str(v, 'reporter')} `,
        button('Open incident', () => this.context.openIncident(incident)), ' ', v_(v, 'incident_ledger_index'))],
      ['alleged party', str(v, 'alleged_party')],
      ['occurred', time(str(v, 'occurred_at'))],
      ['place', lat !== undefined ? `${lat}, ${lng} ± ${str(v, 'radius_m')} m` : 'withheld'],
      ['opened', time(str(v, 'opened_at'))],
      ['responses due', time(str(v, 'response_due_at'))],
      ['closed', closing ? `${time(str(v, 'closed_at'))}: ${str(v, 'finding')}` : ''],
      ['digest', str(v, 'digest')],
    ]);
    const places = section('Notifications in force', objs(v.places).map((p) => el('span', {},
      p.withheld === true ? `a ${str(p, 'kind')} (withheld from you) ` : `${str(p, 'kind')} ${str(p, 'id')} v${str(p, 'version')}: ${str(p, 'name')} (${str(p, 'category')}), notified by ${str(p, 'notifier')} ${time(str(p, 'notified_at'))} `,
      p.withheld === true || !str(p, 'id') ? null : button('Open', () => this.context.openPlace(str(p, 'kind') === 'movement' ? 'movement' : 'site', str(p, 'id'))), ' ', v_(p))));
    const recipients = section('Recipients\u2019 receipts', objs(v.recipients).map((r) => el('span', { class: 'recipient', 'data-party': str(r, 'party') },
      `${str(r, 'party')} (${str(r, 'place')} v${str(r, 'version')}): delivered ${time(str(r, 'delivered_at'))} · acknowledged ${time(str(r, 'acknowledged_at'))}${str(r, 'acknowledged_at') ? (r.signed === true ? ` · signed (key ${str(r, 'key_id')})` : ' · unsigned') : ''} `,
      v_(r, 'delivered_ledger_index', 'verify delivery'), ' ', v_(r, 'ack_ledger_index', 'verify receipt'))));
    const operations = section('Operations over the place', objs(v.operations).map((o) => el('span', {},
      `${str(o, 'party')} ${str(o, 'id')} v${str(o, 'version')} ${str(o, 'state')}${o.overlap_only === true ? ' (overlap only)' : ''} `, v_(o))));
    const tracks = section('Track points within 10 km and 15 min', objs(v.tracks).slice(0, 50).map((t) => el('span', {},
      `${str(t, 'party')} ${str(t, 'track') || str(t, 'id')} at ${time(str(t, 'time') || str(t, 'at'))}`)));
    const respondents = section('Respondents', objs(v.respondents).map((r) => el('span', {},
      `${str(r, 'party')} (${str(r, 'reasons')}): due ${time(str(r, 'due_at'))} · ${str(r, 'responded_at') ? `responded ${time(str(r, 'responded_at'))}` : str(r, 'overdue_at') ? `overdue since ${time(str(r, 'overdue_at'))}` : 'not yet'}`)));
    const responses = section('Responses', objs(v.responses).map((r) => el('span', { class: 'statement' },
      el('strong', {}, `${str(r, 'party')}: `), str(r, 'text'),
      el('div', { class: 'info' }, `${time(str(r, 'at'))} · ${r.signed === true ? 'signed' : 'unsigned'} `), v_(r))));
    const closeSection = closing ? section('Close', [el('span', {}, `${str(closing, 'by') || str(closing, 'guarantor')}: ${str(closing, 'finding')} · ${str(closing, 'notes')} `, v_(closing))]) : null;
    const head = detailHead(`Case ${id}`, close, map, v_(v));
    return [head, info, places, recipients, operations, tracks, respondents, responses, closeSection].filter((n): n is HTMLElement => n !== null);
  }
}
