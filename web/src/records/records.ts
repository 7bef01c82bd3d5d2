// records/records.ts: the four list-and-detail panes (notifications, incidents, cases,
// agreements) wired to the map (each row's "Map" flies there and highlights it), the ledger
// pane ("verify"), the signing key (notification receipts) and the event stream (which
// events load which list again).
import type { DomainEvent } from '../events';
import type { ConsoleMap } from '../map/console_map';
import { pointAndRadius, showOnMap } from '../map/highlight';
import type { Places } from '../map/places';
import { showError } from '../notices';
import type { Session } from '../session';
import type { KeyControl } from '../signing/key_control';
import type { Tabs } from '../tabs';
import { AgreementsPane } from './agreements_pane';
import { CasesPane } from './cases_pane';
import { IncidentsPane } from './incidents_pane';
import { NotificationsPane } from './notifications_pane';
import type { Verify } from './view';

/** ACLED's geo_precision as an uncertainty radius (metres), as cases use it. */
const kPrecisionM: Record<number, number> = { 1: 500, 2: 10000, 3: 50000 };

export interface Records {
  /** The first load of each list, named for the error it would show. */
  initial: [string, Promise<void>][];
  onEvent: (e: DomainEvent) => void;
}

export function startRecords(session: Session, map: ConsoleMap, places: Places, tabs: Tabs, verify: Verify, key: KeyControl): Records {
  const fly = (k: string, label: string, geometries: Parameters<typeof showOnMap>[3]): void => {
    if (!showOnMap(map, k, label, geometries)) showError('Map', new Error(`${label} has no place you may see`));
  };
  const notifications = new NotificationsPane(session, { verify, showOnMap: fly, signer: () => key.current() });
  places.onPlaces = (p) => notifications.show(p);
  key.onChange(() => notifications.show(places.lastPlaces));
  const incidents = new IncidentsPane(session, {
    verify,
    showIncident: (id, lat, lng, precision) => fly(`incident/${id}`, `incident ${id}`, pointAndRadius(lat, lng, precision ? kPrecisionM[precision] : undefined)),
    viewBbox: () => map.map.getBounds().toArray().flat().map((x) => x.toFixed(5)).join(','),
  });
  const cases = new CasesPane(session, {
    verify,
    showCase: (id, lat, lng, radius) => fly(`case/${id}`, `case ${id}`, pointAndRadius(lat, lng, radius)),
    openIncident: (id) => {
      tabs.select('incidents');
      incidents.open(id);
    },
    openPlace: (type, id) => {
      tabs.select('notifications');
      notifications.open(type, id);
    },
  });
  const agreements = new AgreementsPane(session, { verify, showOnMap: fly });

  const later = (what: string, fn: () => Promise<void>): (() => void) => {
    let timer: number | undefined;
    return () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => fn().catch((e: unknown) => showError(what, e)), 200);
    };
  };
  const reloadPlaces = later('Sites and movements', () => places.refreshPlaces());
  const reloadIncidents = later('Incidents', async () => {
    await places.refreshIncidents();
    await incidents.refresh();
  });
  const reloadCases = later('Cases', () => cases.refresh());
  const reloadAgreements = later('Agreements', () => agreements.refresh());
  return {
    initial: [
      ['Incidents list', incidents.refresh()],
      ['Cases', cases.refresh()],
      ['Agreements', agreements.refresh()],
    ],
    onEvent: (e) => {
      // Types beyond openapi.json's Event enum arrive too (humanitarian.*, incident.*, ...).
      const type: string = e.type;
      if (type.startsWith('humanitarian.')) reloadPlaces();
      if (type.startsWith('incident.')) reloadIncidents();
      if (type.startsWith('case.') || type.startsWith('incident.')) reloadCases();
      if (type.startsWith('proposal.') || type.startsWith('agreement.')) reloadAgreements();
    },
  };
}
