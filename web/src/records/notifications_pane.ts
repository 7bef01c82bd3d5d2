// records/notifications_pane.ts: humanitarian notifications (sites and movements) the caller may
// read, as the map loaded them (GET /v1/sites.geojson, /v1/movements.geojson), filtered by type,
// by relation (sent to me, notified by me) and by text. A row opens the details
// (notification_detail.ts), shows the place on the map, and verifies the version's ledger entry.
import { byId } from '../dom';
import type { PlaceFeature } from '../map/places';
import type { Session } from '../session';
import { NotificationDetail, placeGeometries, type PlaceContext } from './notification_detail';
import { showRows, str, strs, time, type RowSpec } from './view';

export class NotificationsPane {
  private places: PlaceFeature[] = [];
  private readonly list = byId('notification-list', HTMLOListElement);
  private readonly type = byId('notif-type', HTMLSelectElement);
  private readonly relation = byId('notif-relation', HTMLSelectElement);
  private readonly search = byId('notif-search', HTMLInputElement);
  private readonly detail: NotificationDetail;

  constructor(
    private readonly session: Session,
    private readonly context: PlaceContext,
  ) {
    this.detail = new NotificationDetail(session, context, byId('notification-detail', HTMLElement));
    for (const control of [this.type, this.relation, this.search]) control.addEventListener('input', () => this.render());
  }

  /** The places the map loaded. */
  show(places: PlaceFeature[]): void {
    this.places = places;
    this.render();
    this.detail.reload();
  }

  /** Opens one place's details (e.g. from a case). */
  open(type: 'site' | 'movement', id: string): void {
    this.detail.open(type, id);
  }

  private matches(p: PlaceFeature): boolean {
    const me = this.session.party;
    const props = p.properties;
    if (this.type.value && str(props, 'type') !== this.type.value) return false;
    if (this.relation.value === 'to-me' && !strs(props, 'recipients').includes(me)) return false;
    if (this.relation.value === 'mine' && str(props, 'notifier') !== me) return false;
    const q = this.search.value.trim().toLowerCase();
    if (q && ![p.id, str(props, 'name'), str(props, 'notifier'), str(props, 'kind')].some((s) => s.toLowerCase().includes(q))) return false;
    return true;
  }

  private render(): void {
    const rows: RowSpec[] = this.places.filter((p) => this.matches(p)).map((p) => {
      const props = p.properties;
      const type = str(props, 'type') === 'movement' ? 'movement' : 'site';
      const name = str(props, 'name') || p.id;
      const window_ = type === 'site'
        ? `${time(str(props, 'valid_from'))} → ${time(str(props, 'valid_to'))}`
        : `${time(str(props, 'time_start'))} → ${time(str(props, 'time_end'))}`;
      const kind = type === 'site' ? str(props, 'kind') : `${str(props, 'vehicles') || '?'} vehicles`;
      const index = props.ledger_index;
      return {
        id: `${type}/${p.id}`,
        title: `${type === 'site' ? 'Site' : 'Movement'}: ${name}`,
        meta: `${kind} · v${str(props, 'version')} ${str(props, 'change')} by ${str(props, 'notifier')} · to ${strs(props, 'recipients').join(', ')} · ${window_} · acknowledge by ${time(str(props, 'ack_deadline'))}`,
        classes: `place-${type}`,
        onOpen: () => this.detail.open(type, p.id),
        onMap: () => this.context.showOnMap(`${type}/${p.id}`, name, placeGeometries(p.geometry, props)),
        ledgerIndex: typeof index === 'number' ? index : undefined,
      };
    });
    showRows(this.list, rows, this.context.verify, 'No notifications you may read.');
  }
}
