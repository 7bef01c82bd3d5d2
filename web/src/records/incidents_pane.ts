// records/incidents_pane.ts: incidents (GET /v1/incidents.geojson) that occurred in [from, to)
// (default: the last 30 days), optionally only within the map's view (bbox), then filtered by
// status and event type in the page. A row opens the details (incident_detail.ts), shows the
// impact point on the map, and verifies the newest version's ledger entry.
import { byId } from '../dom';
import type { Session } from '../session';
import { IncidentDetail, type IncidentContext } from './incident_detail';
import { errorLine, failure, isObj, num, showRows, str, time, type Obj, type RowSpec } from './view';

const kMaxLoaded = 5000;
const kDay = 24 * 3600 * 1000;

interface Row {
  id: string;
  props: Obj;
  lat: number;
  lng: number;
}

/** A datetime-local value (read as UTC, as every time on the page) in RFC 3339, or undefined. */
function utc(value: string): string | undefined {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : undefined;
}

export class IncidentsPane {
  private rows: Row[] = [];
  private truncated = false;
  private readonly form = byId('incident-filters', HTMLFormElement);
  private readonly from = byId('inc-from', HTMLInputElement);
  private readonly to = byId('inc-to', HTMLInputElement);
  private readonly status = byId('inc-status', HTMLSelectElement);
  private readonly eventType = byId('inc-type', HTMLSelectElement);
  private readonly inView = byId('inc-in-view', HTMLInputElement);
  private readonly summary = byId('incident-summary', HTMLElement);
  private readonly list = byId('incident-list', HTMLOListElement);
  private readonly detail: IncidentDetail;

  constructor(
    private readonly session: Session,
    private readonly context: IncidentContext & { viewBbox: () => string },
  ) {
    this.detail = new IncidentDetail(session, context, byId('incident-detail', HTMLElement));
    this.from.value = new Date(Date.now() - 30 * kDay).toISOString().slice(0, 16);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.refresh().catch((err: unknown) => this.summary.replaceChildren(errorLine(failure(err))));
    });
    for (const c of [this.status, this.eventType]) c.addEventListener('input', () => this.render());
  }

  /** Loads the incidents the filters ask the server for (every page, up to kMaxLoaded). */
  async refresh(): Promise<void> {
    const rows: Row[] = [];
    let after: string | undefined;
    const query = { from: utc(this.from.value), to: utc(this.to.value), bbox: this.inView.checked ? this.context.viewBbox() : undefined };
    this.truncated = false;
    do {
      const page = await this.session.api.call('get', '/v1/incidents.geojson', { query: { ...query, limit: 1000, after } });
      for (const f of page.features as unknown[]) {
        const props = isObj(f) && isObj(f.properties) ? f.properties : undefined;
        const geometry = isObj(f) && isObj(f.geometry) ? f.geometry : undefined;
        const [lng, lat]: unknown[] = Array.isArray(geometry?.coordinates) ? geometry.coordinates : [];
        if (props && typeof lng === 'number' && typeof lat === 'number') rows.push({ id: str(props, 'id'), props, lat, lng });
      }
      after = page.next_after ?? undefined;
      if (rows.length >= kMaxLoaded && after) {
        this.truncated = true;
        break;
      }
    } while (after);
    this.rows = rows.sort((a, b) => str(b.props, 'occurred_at').localeCompare(str(a.props, 'occurred_at')));
    this.render();
    this.detail.reload();
  }

  open(id: string): void {
    this.detail.open(id);
  }

  private render(): void {
    const shown = this.rows.filter((r) =>
      (!this.status.value || str(r.props, 'status') === this.status.value) &&
      (!this.eventType.value || str(r.props, 'event_type') === this.eventType.value));
    this.summary.textContent = `${shown.length} of ${this.rows.length} incidents loaded${this.truncated ? ` (the first ${kMaxLoaded}: narrow the dates or the area)` : ''}.`;
    const specs: RowSpec[] = shown.map((r) => {
      const p = r.props;
      const place = str(p, 'location_name') || `${r.lat.toFixed(3)}, ${r.lng.toFixed(3)}`;
      const alleged = str(p, 'alleged_party');
      return {
        id: r.id,
        title: `${r.id}: ${str(p, 'sub_event_type') || str(p, 'event_type')}`,
        status: str(p, 'status'),
        meta: `${time(str(p, 'occurred_at'))} · ${place}${alleged ? ` · alleged ${alleged}` : ''} · reported by ${str(p, 'reporter')}`,
        onOpen: () => this.detail.open(r.id),
        onMap: () => this.context.showIncident(r.id, r.lat, r.lng, num(p, 'geo_precision')),
        ledgerIndex: num(p, 'ledger_index'),
      };
    });
    showRows(this.list, specs, this.context.verify, 'No incidents match.');
  }
}
