// map/traffic.ts: the live picture: the tracks the caller may see (GET /v1/tracks, every page,
// polled each second while the tab is visible) and its open encounters (GET /v1/encounters) as
// lines between the two aircraft, flashing while the caller has not acknowledged them.
import type { Feature, LineString, Point } from 'geojson';
import { LngLatBounds, type ExpressionSpecification } from 'maplibre-gl';
import type { Schemas } from '../api/client';
import { byId } from '../dom';
import { showError } from '../notices';
import type { Session } from '../session';
import type { ConsoleMap } from './console_map';
import { collection } from './geometry';

type Track = Schemas['VisibleTrack'];
type Encounter = Schemas['Encounter'];

const kPollMs = 1000;

export class Traffic {
  private readonly tracks = new Map<string, Track>();
  private encounters: Encounter[] = [];
  private timer: number | undefined;
  private polling = false;
  private flashOn = false;
  private lastError = '';
  private clearError: (() => void) | null = null;
  private readonly status = byId('traffic-status', HTMLButtonElement);
  /** Told the open encounters each time they are loaded (the encounters pane). */
  onEncounters: (open: Encounter[]) => void = () => {};

  constructor(
    private readonly session: Session,
    private readonly map: ConsoleMap,
  ) {}

  start(): void {
    this.status.addEventListener('click', () => this.frame());
    this.timer = window.setInterval(() => this.tick(), kPollMs);
    void this.tick();
  }

  stop(): void {
    window.clearInterval(this.timer);
  }

  /** Reloads the open encounters (on encounter.* events and at start). */
  async refreshEncounters(): Promise<void> {
    const open: Encounter[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.session.api.call('get', '/v1/encounters', {
        query: { state: 'open', limit: 1000, cursor },
      });
      open.push(...(page.encounters ?? []));
      cursor = page.next_cursor;
    } while (cursor);
    this.encounters = open;
    this.draw();
    this.onEncounters(open);
  }

  /** The hover's details of the track with this key ("party/id"), when it is shown. */
  trackDetails(key: string): Record<string, string | number | boolean> | undefined {
    const t = this.tracks.get(key);
    if (!t) return undefined;
    return {
      layer: 'track',
      id: t.id ?? '',
      party: t.party ?? '',
      callsign: t.callsign ?? '',
      own: t.own ?? false,
      in_territory: t.in_territory ?? false,
      alt_m: t.alt_m ?? Number.NaN,
      gs_mps: t.gs_mps ?? Number.NaN,
      trk_deg: t.trk_deg ?? Number.NaN,
      time: t.time ?? '',
    };
  }

  /** Frames the two aircraft of an encounter (live positions when known). */
  focus(e: Encounter): void {
    const ends = (e.aircraft ?? []).flatMap((a) => {
      const live = this.tracks.get(`${a.party}/${a.track}`);
      const lng = live?.lng ?? a.lng;
      const lat = live?.lat ?? a.lat;
      return lng !== undefined && lat !== undefined ? [[lng, lat] as [number, number]] : [];
    });
    const [first] = ends;
    if (!first) return;
    const bounds = ends.reduce((b, p) => b.extend(p), new LngLatBounds(first, first));
    this.map.map.fitBounds(bounds, { padding: 120, maxZoom: 11, duration: 0 });
  }

  private async tick(): Promise<void> {
    this.flash();
    if (this.polling || document.hidden) return;
    this.polling = true;
    try {
      const seen = new Map<string, Track>();
      let cursor: string | undefined;
      do {
        const page = await this.session.api.call('get', '/v1/tracks', {
          query: { limit: 10000, cursor },
        });
        for (const t of page.tracks ?? []) seen.set(`${t.party}/${t.id}`, t);
        cursor = page.next_cursor;
      } while (cursor);
      this.tracks.clear();
      for (const [k, t] of seen) this.tracks.set(k, t);
      this.lastError = '';
      this.clearError?.();
      this.clearError = null;
      this.draw();
    } catch (e) {
      const text = String(e);
      if (text !== this.lastError) {
        this.clearError?.();
        this.clearError = showError('Tracks', e);
      }
      this.lastError = text;
    } finally {
      this.polling = false;
    }
  }

  private draw(): void {
    const points: Feature<Point>[] = [];
    for (const t of this.tracks.values()) {
      if (t.lat === undefined || t.lng === undefined) continue;
      // Only what the layer styles by: 10,000 tracks each second go to the map's worker, so the
      // details the hover shows are looked up by key (trackDetails) instead of copied.
      points.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [t.lng, t.lat] },
        properties: { layer: 'track', key: `${t.party}/${t.id}`, own: t.own ?? false },
      });
    }
    this.map.setData('tracks', collection(points));
    const lines: Feature<LineString>[] = [];
    for (const e of this.encounters) {
      const ends: [number, number][] = [];
      for (const a of e.aircraft ?? []) {
        const live = this.tracks.get(`${a.party}/${a.track}`);
        const lng = live?.lng ?? a.lng;
        const lat = live?.lat ?? a.lat;
        if (lng !== undefined && lat !== undefined) ends.push([lng, lat]);
      }
      if (ends.length < 2) continue;
      const acked = (e.acknowledgements ?? []).some((k) => k.party === this.session.party);
      const p = e.prediction;
      lines.push({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: ends },
        properties: {
          layer: 'encounter',
          id: e.id ?? 0,
          parties: (e.parties ?? []).join(' / '),
          unacknowledged: !acked,
          tcpa_s: p?.tcpa_s ?? Number.NaN,
          dcpa_m: p?.dcpa_m ?? Number.NaN,
          vertical_m: p?.vertical_separation_m ?? Number.NaN,
          predicted_at: p?.at ?? '',
        },
      });
    }
    this.map.setData('encounters', collection(lines));
    const owed = lines.filter((l) => l.properties?.unacknowledged).length;
    this.status.textContent =
      `${this.tracks.size} tracks · ${lines.length} open encounters` + (owed ? ` (${owed} unacknowledged)` : '');
    this.status.dataset.tracks = String(this.tracks.size);
    this.status.dataset.encounters = String(lines.length);
  }

  /** Frames the tracks on the map (the status button). */
  private frame(): void {
    const points = [...this.tracks.values()].flatMap((t) =>
      t.lng !== undefined && t.lat !== undefined ? [[t.lng, t.lat] as [number, number]] : [],
    );
    const [first] = points;
    if (!first) return;
    const bounds = points.reduce((b, p) => b.extend(p), new LngLatBounds(first, first));
    this.map.map.fitBounds(bounds, { padding: 80, maxZoom: 10, duration: 0 });
  }

  /** Encounters the caller has not acknowledged blink once a second. */
  private flash(): void {
    this.flashOn = !this.flashOn;
    const opacity: ExpressionSpecification = ['case', ['get', 'unacknowledged'], this.flashOn ? 1 : 0.4, 1];
    this.map.setPaint('encounters', 'line-opacity', opacity);
  }
}
