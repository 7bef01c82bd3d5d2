// records/incident_detail.ts: one incident (GET /v1/incidents/{id}): its status and attributed
// party, the newest version's fields, every version, the guarantors' findings with their signed
// statements, and the statements of the parties concerned (the right of reply), each with
// "verify" for its ledger entry.
import { el } from '../dom';
import type { Session } from '../session';
import { button, detailHead, errorLine, failure, fields, focusDetail, isObj, num, objs, section, str, strs, time, verifyButton, type Obj, type Verify } from './view';

export interface IncidentContext {
  verify: Verify;
  showIncident: (id: string, lat: number, lng: number, geoPrecision: number | undefined) => void;
}

function fatalities(p: Obj): string {
  const f = isObj(p.fatalities) ? p.fatalities : undefined;
  if (!f) return '';
  const [best, low, high] = [str(f, 'best'), str(f, 'low'), str(f, 'high')];
  return low && high && (low !== best || high !== best) ? `${best} (${low}–${high})` : best;
}

export class IncidentDetail {
  private current: string | null = null;

  constructor(
    private readonly session: Session,
    private readonly context: IncidentContext,
    private readonly root: HTMLElement,
  ) {}

  open(id: string): void {
    this.current = id;
    void this.load(true);
  }

  reload(): void {
    if (this.current) void this.load(false);
  }

  private close(): void {
    this.current = null;
    this.root.replaceChildren();
  }

  private async load(focus: boolean): Promise<void> {
    const id = this.current;
    if (!id) return;
    try {
      const view = await this.session.api.call('get', '/v1/incidents/{id}', { path: { id } });
      if (this.current !== id) return;
      this.root.replaceChildren(...this.render(view as unknown as Obj));
    } catch (e) {
      this.root.replaceChildren(detailHead(`Incident ${id}`, () => this.close()), errorLine(failure(e)));
    }
    if (focus) focusDetail(this.root);
  }

  private render(v: Obj): Node[] {
    const inc = isObj(v.incident) ? v.incident : {};
    const id = str(v, 'id');
    const loc = isObj(inc.location) ? inc.location : {};
    const lat = num(loc, 'lat');
    const lng = num(loc, 'lng');
    const map = lat !== undefined && lng !== undefined
      ? button('Map', () => this.context.showIncident(id, lat, lng, num(inc, 'geo_precision')), { class: 'secondary show-on-map' })
      : null;
    const head = detailHead(`Incident ${id}`, () => this.close(), map, verifyButton(num(inc, 'ledger_index'), this.context.verify));
    const observation = isObj(inc.observation) ? inc.observation : undefined;
    const info = fields([
      ['status', el('span', { class: `status status-${str(v, 'status')}` }, str(v, 'status'))],
      ['attributed to', str(v, 'attributed_party')],
      ['occurred', time(str(inc, 'occurred_at'))],
      ['event', `${str(inc, 'event_type')} / ${str(inc, 'sub_event_type')}`],
      ['alleged party', str(inc, 'alleged_party')],
      ['target', str(inc, 'target')],
      ['fatalities', fatalities(inc)],
      ['where', [str(inc, 'location_name'), str(inc, 'admin2'), str(inc, 'admin1')].filter(Boolean).join(', ') || (lat !== undefined ? `${lat}, ${lng}` : '')],
      ['observation', observation ? `${str(observation, 'mode')} at bearing ${str(observation, 'bearing_deg')}°, ${(Array.isArray(observation.distance_m) ? observation.distance_m : []).join('–')} m` : ''],
      ['notes', str(inc, 'notes')],
      ['sources', strs(inc, 'sources').join('; ')],
      ['reported by', `${str(inc, 'reporter')} (${str(inc, 'origin')})`],
      ['digest', str(inc, 'digest')],
    ]);
    const verify = this.context.verify;
    const versions = section('Versions', objs(v.versions).map((x) =>
      el('span', {}, `v${str(x, 'version')} by ${str(x, 'reporter')} ${time(str(x, 'created_at'))} `, verifyButton(num(x, 'ledger_index'), verify))));
    const findings = section('Findings', objs(v.findings).map((f) =>
      el('span', { class: 'finding', 'data-finding': str(f, 'finding') },
        el('strong', {}, `${str(f, 'guarantor')}: ${str(f, 'finding')}`),
        ` on v${str(f, 'version')}${str(f, 'attributed_party') ? `, attributed to ${str(f, 'attributed_party')}` : ''}${str(f, 'confidence') ? `, confidence ${str(f, 'confidence')}` : ''} · ${time(str(f, 'at'))}`,
        str(f, 'notes') ? el('div', { class: 'quote' }, str(f, 'notes')) : null,
        el('div', { class: 'info' }, str(f, 'key_id') ? `signed with key ${str(f, 'key_id')}` : 'unsigned', ' '),
        verifyButton(num(f, 'ledger_index'), verify))), 'no finding yet');
    const statements = section('Statements (right of reply)', objs(v.statements).map((s) =>
      el('span', { class: 'statement' },
        el('strong', {}, `${str(s, 'party')}: `), str(s, 'text'),
        el('div', { class: 'info' }, `${time(str(s, 'at'))} · ${s.signed === true ? `signed${str(s, 'key_id') ? ` with key ${str(s, 'key_id')}` : ''}` : 'unsigned'} `),
        verifyButton(num(s, 'ledger_index'), verify))), 'no statement');
    return [head, info, findings, statements, versions];
  }
}
