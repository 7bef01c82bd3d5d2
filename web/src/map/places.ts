// map/places.ts: humanitarian places and incidents: the sites the caller may read with their
// buffers (GET /v1/sites.geojson), movements with their corridors (GET /v1/movements.geojson)
// and incidents coloured by verification status (GET /v1/incidents.geojson, the last 30 days).
// Reading a site or movement as a recipient records its delivery: the map shows what it read.
import type { Feature, FeatureCollection, Geometry, LineString, Point, Polygon } from 'geojson';
import type { Session } from '../session';
import type { ConsoleMap } from './console_map';
import { circleRing, collection, latitudeOf, metresToPixelsAtZoom0, type Props } from './geometry';

/** The flat (string, number, boolean) properties of a feature: what the map can filter on. */
function flatProps(properties: unknown): Props {
  const out: Props = {};
  if (typeof properties !== 'object' || properties === null) return out;
  for (const [k, v] of Object.entries(properties)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

type Flat = Feature<Geometry, Props>;

function features(fc: { features?: unknown[] }): Flat[] {
  const out: Flat[] = [];
  for (const f of fc.features ?? []) {
    if (typeof f !== 'object' || f === null || !('geometry' in f)) continue;
    const g = f.geometry as Geometry | null;
    if (!g || typeof g !== 'object' || !('type' in g)) continue;
    const props = flatProps('properties' in f ? f.properties : undefined);
    if ('id' in f && typeof f.id === 'string' && props.id === undefined) props.id = f.id;
    out.push({ type: 'Feature', geometry: g, properties: props });
  }
  return out;
}

/** Sites as areas (a point's buffer circle, or the polygon itself) and points. */
function siteLayers(sites: Flat[]): {
  areas: FeatureCollection<Polygon>;
  points: FeatureCollection<Point>;
} {
  const areas: Feature<Polygon>[] = [];
  const points: Feature<Point>[] = [];
  for (const site of sites) {
    const props: Props = { ...site.properties, layer: 'site' };
    const buffer = typeof props.buffer_m === 'number' ? props.buffer_m : 0;
    const g = site.geometry;
    if (g.type === 'Point') {
      const [lng, lat] = g.coordinates;
      if (lng === undefined || lat === undefined) continue;
      points.push({ type: 'Feature', geometry: g, properties: props });
      if (buffer > 0) {
        const ring = circleRing(lat, lng, buffer);
        areas.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { ...props, kind_of_area: 'buffer' } });
      }
    } else if (g.type === 'Polygon') {
      const buffer_px0 = metresToPixelsAtZoom0(buffer, latitudeOf(g));
      areas.push({ type: 'Feature', geometry: g, properties: { ...props, kind_of_area: 'site', buffer_px0 } });
    }
  }
  return { areas: collection(areas), points: collection(points) };
}

function movementLayer(movements: Flat[]): FeatureCollection<LineString> {
  const out: Feature<LineString>[] = [];
  for (const m of movements) {
    if (m.geometry.type !== 'LineString') continue;
    const props: Props = { ...m.properties, layer: 'movement' };
    const corridor = typeof props.corridor_m === 'number' ? props.corridor_m : 0;
    const corridor_px0 = metresToPixelsAtZoom0(corridor, latitudeOf(m.geometry));
    out.push({ type: 'Feature', geometry: m.geometry, properties: { ...props, corridor_px0 } });
  }
  return collection(out);
}

/** A site or movement as GET /v1/sites.geojson and /v1/movements.geojson give it. */
export interface PlaceFeature {
  id: string;
  geometry: Geometry;
  properties: Record<string, unknown>;
}

function placeFeatures(fc: { features?: unknown[] }): PlaceFeature[] {
  const out: PlaceFeature[] = [];
  for (const f of fc.features ?? []) {
    if (typeof f !== 'object' || f === null || !('geometry' in f) || !('properties' in f)) continue;
    const props = f.properties;
    const g = f.geometry as Geometry | null;
    if (!g || typeof props !== 'object' || props === null) continue;
    const id = 'id' in props && typeof props.id === 'string' ? props.id : 'id' in f && typeof f.id === 'string' ? f.id : '';
    out.push({ id, geometry: g, properties: props as Record<string, unknown> });
  }
  return out;
}

export class Places {
  /** Told the places each time they are loaded (the notifications pane lists them). */
  onPlaces: (places: PlaceFeature[]) => void = () => {};
  /** The places last loaded. */
  lastPlaces: PlaceFeature[] = [];

  constructor(
    private readonly session: Session,
    private readonly map: ConsoleMap,
  ) {}

  /** Reloads sites and movements. */
  async refreshPlaces(): Promise<void> {
    const [sites, movements] = await Promise.all([
      this.session.api.call('get', '/v1/sites.geojson'),
      this.session.api.call('get', '/v1/movements.geojson'),
    ]);
    const { areas, points } = siteLayers(features(sites));
    this.map.setData('site-areas', areas);
    this.map.setData('site-points', points);
    this.map.setData('movements', movementLayer(features(movements)));
    // One read of each list: a recipient's read is recorded as its delivery, so the pane
    // reuses what the map loaded rather than reading again.
    this.lastPlaces = [...placeFeatures(sites), ...placeFeatures(movements)];
    this.onPlaces(this.lastPlaces);
  }

  /** Reloads the incidents of the last 30 days (every page). */
  async refreshIncidents(): Promise<void> {
    const all: Feature<Geometry>[] = [];
    let after: string | undefined;
    do {
      const page = await this.session.api.call('get', '/v1/incidents.geojson', {
        query: { limit: 10000, after },
      });
      all.push(...features(page).map((f) => ({ ...f, properties: { ...f.properties, layer: 'incident' } })));
      after = page.next_after ?? undefined;
    } while (after);
    this.map.setData('incidents', collection(all));
  }
}
