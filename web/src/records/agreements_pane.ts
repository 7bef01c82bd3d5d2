// records/agreements_pane.ts: proposals and agreements. The list is the proposals the caller
// approves (GET /v1/proposals, every page), filtered by state and kind; a proposal's details
// (GET /v1/proposals/{id}) show its content, every decision and, once agreed, the agreement
// with every version of the thing it changed (GET /v1/agreements/{aor|territory|text}/{id}).
// An agreed list is looked up by name (GET /v1/lists/{name}: any party). Areas (an AOR, a
// territory) show on the map.
import type { Geometry } from 'geojson';
import type { Schemas } from '../api/client';
import { byId, el } from '../dom';
import type { Session } from '../session';
import { button, detailHead, errorLine, failure, fields, focusDetail, isObj, num, objs, section, showRows, str, strs, time, verifyButton, type Obj, type RowSpec, type Verify } from './view';

type Proposal = Schemas['ProposalView'];
type AgreementType = 'aor' | 'territory' | 'text';

export interface AgreementContext {
  verify: Verify;
  showOnMap: (key: string, label: string, geometries: Geometry[]) => void;
}

function areaOf(content: unknown): Geometry[] {
  const area = isObj(content) && isObj(content.area) ? content.area : undefined;
  if (!area || (area.type !== 'Polygon' && area.type !== 'MultiPolygon') || !Array.isArray(area.coordinates)) return [];
  return [area as unknown as Geometry];
}

function contentLine(kind: string, c: Obj): string {
  const entry = isObj(c.entry) ? c.entry : {};
  switch (kind) {
    case 'list_entry':
      return `${str(c, 'op')} "${str(entry, 'name')}" ${str(c, 'op') === 'remove' ? 'from' : 'to'} list ${str(c, 'list')}`;
    case 'area_of_responsibility':
      return `area of responsibility of ${str(c, 'party')}, ${str(c, 'altitude_lower_m')}–${str(c, 'altitude_upper_m')} m, ${time(str(c, 'time_start'))} → ${time(str(c, 'time_end'))}`;
    case 'territory':
      return `territory of ${str(c, 'party')}`;
    case 'text':
      return `text: ${str(c, 'title')}`;
    default:
      return kind;
  }
}

export class AgreementsPane {
  private proposals: Proposal[] = [];
  private current: string | null = null;
  private readonly list = byId('proposal-list', HTMLOListElement);
  private readonly state = byId('proposal-state', HTMLSelectElement);
  private readonly kind = byId('proposal-kind', HTMLSelectElement);
  private readonly detail = byId('proposal-detail', HTMLElement);
  private readonly listResult = byId('agreed-list', HTMLElement);

  constructor(
    private readonly session: Session,
    private readonly context: AgreementContext,
  ) {
    for (const c of [this.state, this.kind]) c.addEventListener('input', () => this.render());
    const listName = byId('list-name', HTMLInputElement);
    byId('list-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      void this.showList(listName.value.trim());
    });
  }

  async refresh(): Promise<void> {
    const all: Proposal[] = [];
    let after: string | undefined;
    do {
      const page = await this.session.api.call('get', '/v1/proposals', { query: { limit: 1000, after } });
      all.push(...(page.proposals ?? []));
      after = page.next_after ?? undefined;
    } while (after);
    this.proposals = all;
    this.render();
    if (this.current) void this.load(false);
  }

  private render(): void {
    const rows: RowSpec[] = this.proposals
      .filter((p) => (!this.state.value || p.state === this.state.value) && (!this.kind.value || p.kind === this.kind.value))
      .map((p) => {
        const id = p.id ?? '';
        const area = areaOf(p.content);
        return {
          id,
          title: `${id}: ${contentLine(p.kind ?? '', isObj(p.content) ? p.content : {})}`,
          status: p.state,
          meta: `proposed by ${p.proposer ?? '?'} ${time(p.created_at ?? '')} · approvers ${(p.approvers ?? []).join(', ')}${p.state === 'open' ? ` · expires ${time(p.expires_at ?? '')}` : ''}`,
          onOpen: () => this.open(id),
          onMap: area.length ? () => this.context.showOnMap(`proposal/${id}`, id, area) : null,
          ledgerIndex: p.ledger_index,
        };
      });
    showRows(this.list, rows, this.context.verify, 'No proposals of yours.');
  }

  open(id: string): void {
    this.current = id;
    void this.load(true);
  }

  private async load(focus: boolean): Promise<void> {
    const id = this.current;
    if (!id) return;
    const close = (): void => {
      this.current = null;
      this.detail.replaceChildren();
    };
    try {
      const p = await this.session.api.call('get', '/v1/proposals/{id}', { path: { id } });
      const agreement = isObj(p.agreement) ? p.agreement : undefined;
      const [type, thing] = str(agreement, 'id').split(/\/(.*)/s);
      const versions = type === 'aor' || type === 'territory' || type === 'text'
        ? await this.session.api.call('get', '/v1/agreements/{type}/{id}', { path: { type: type as AgreementType, id: thing ?? '' } })
        : null;
      if (this.current !== id) return;
      this.detail.replaceChildren(...this.render1(p as unknown as Obj, isObj(versions) ? versions : null, close));
    } catch (e) {
      this.detail.replaceChildren(detailHead(`Proposal ${id}`, close), errorLine(failure(e)));
    }
    if (focus) focusDetail(this.detail);
  }

  private render1(p: Obj, versions: Obj | null, close: () => void): Node[] {
    const verify = this.context.verify;
    const id = str(p, 'id');
    const content = isObj(p.content) ? p.content : {};
    const area = areaOf(content);
    const map = area.length ? button('Map', () => this.context.showOnMap(`proposal/${id}`, id, area), { class: 'secondary show-on-map' }) : null;
    const head = detailHead(`Proposal ${id}`, close, map, verifyButton(num(p, 'ledger_index'), verify));
    const info = fields([
      ['state', el('span', { class: `status status-${str(p, 'state')}` }, str(p, 'state'))],
      ['what', contentLine(str(p, 'kind'), content)],
      ['text', str(content, 'text')],
      ['proposer', str(p, 'proposer')],
      ['approvers', strs(p, 'approvers').join(', ')],
      ['amends', str(p, 'amends') ? `${str(p, 'amends')}${p.withdraw === true ? ' (withdraw)' : ''}` : ''],
      ['created', time(str(p, 'created_at'))],
      ['expires', time(str(p, 'expires_at'))],
      ['closed', str(p, 'closed_at') ? time(str(p, 'closed_at')) : ''],
      ['digest', str(p, 'digest')],
    ]);
    const decisions = section('Decisions', objs(p.decisions).map((d) => el('span', {},
      `${str(d, 'party')}: ${str(d, 'decision')} ${time(str(d, 'at'))} · ${d.signed === true ? `signed (key ${str(d, 'key_id')})` : 'unsigned'} `,
      verifyButton(num(d, 'ledger_index'), verify))), 'none yet');
    const agreement = isObj(p.agreement) ? p.agreement : undefined;
    const agreed = agreement ? section(`Agreement ${str(agreement, 'id')}${versions?.live === false ? ' (no longer live)' : ''}`,
      (versions ? objs(versions.versions) : [agreement]).map((a) => el('span', { class: 'agreement-version' },
        `v${str(a, 'version')} agreed ${time(str(a, 'agreed_at'))} by ${strs(a, 'approvers').join(', ')}${a.withdrawn === true ? ' · withdrawn' : ''}${str(a, 'ovn') ? ` · ovn ${str(a, 'ovn')}` : ''} `,
        verifyButton(num(a, 'ledger_index'), verify)))) : null;
    return [head, info, decisions, agreed].filter((n): n is HTMLElement => n !== null);
  }

  private async showList(name: string): Promise<void> {
    if (!name) return;
    try {
      const l = await this.session.api.call('get', '/v1/lists/{name}', { path: { name } });
      const entries = l.entries ?? [];
      this.listResult.replaceChildren(section(`List ${l.name ?? name} at ${time(l.at ?? '')}`, entries.map((e) => el('span', {},
        el('strong', {}, e.name ?? ''), `${e.aliases?.length ? ` (also ${e.aliases.join(', ')})` : ''} · v${e.version ?? '?'} agreed ${time(e.agreed_at ?? '')} by proposal ${e.proposal ?? '?'}`,
        e.notes ? el('div', { class: 'info' }, e.notes) : null)), 'no agreed entry'));
    } catch (e) {
      this.listResult.replaceChildren(errorLine(failure(e)));
    }
  }
}
