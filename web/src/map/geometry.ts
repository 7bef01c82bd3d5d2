// map/geometry.ts: the API's shapes as GeoJSON (RFC 7946, [lng, lat]) for the map's sources.
// Circles become 64-sided polygons on the sphere (error under 0.13 % of the radius); lengths
// in metres become pixels per zoom level (metresToPixelsAtZoom0) for line widths and radii.
import type { Feature, FeatureCollection, Geometry, Polygon, Position } from 'geojson';
import type { Schemas } from '../api/client';

type Volume4D = Schemas['Volume4D'];
type Overlap = Schemas['Overlap'];
export type Props = Record<string, string | number | boolean>;

const kEarthRadiusM = 6371008.8;
const kCircleSides = 64;
/** Web Mercator metres per pixel at zoom 0 on the equator for MapLibre's 512-pixel tiles. */
const kMetresPerPixelZoom0 = 40075016.686 / 512;

export function collection<G extends Geometry>(features: Feature<G>[]): FeatureCollection<G> {
  return { type: 'FeatureCollection', features };
}

/** The point `distance_m` from (lat, lng) along `bearing` radians (great circle). */
function destination(lat: number, lng: number, distanceM: number, bearing: number): Position {
  const d = distanceM / kEarthRadiusM;
  const phi1 = (lat * Math.PI) / 180;
  const lambda1 = (lng * Math.PI) / 180;
  const phi2 = Math.asin(Math.sin(phi1) * Math.cos(d) + Math.cos(phi1) * Math.sin(d) * Math.cos(bearing));
  const lambda2 =
    lambda1 +
    Math.atan2(
      Math.sin(bearing) * Math.sin(d) * Math.cos(phi1),
      Math.cos(d) - Math.sin(phi1) * Math.sin(phi2),
    );
  return [(lambda2 * 180) / Math.PI, (phi2 * 180) / Math.PI];
}

/** A closed ring approximating the circle of `radius_m` around (lat, lng). */
export function circleRing(lat: number, lng: number, radiusM: number): Position[] {
  const ring: Position[] = [];
  for (let side = 0; side < kCircleSides; side++) {
    ring.push(destination(lat, lng, radiusM, (2 * Math.PI * side) / kCircleSides));
  }
  const first = ring[0];
  if (first) ring.push(first);
  return ring;
}

function closed(ring: Position[]): Position[] {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) return [...ring, first];
  return ring;
}

/** The footprint of a Volume4D, or null when it has neither outline. */
export function footprint(v: Volume4D): Polygon | null {
  const polygon = v.volume.outline_polygon?.vertices;
  if (polygon && polygon.length >= 3) {
    return { type: 'Polygon', coordinates: [closed(polygon.map((p) => [p.lng, p.lat]))] };
  }
  const circle = v.volume.outline_circle;
  if (circle?.center && circle.radius?.value !== undefined) {
    return {
      type: 'Polygon',
      coordinates: [circleRing(circle.center.lat, circle.center.lng, circle.radius.value)],
    };
  }
  return null;
}

/** Milliseconds since the epoch of an API time, NaN when absent or unreadable. */
export function millis(t: { value: string } | undefined): number {
  return t ? Date.parse(t.value) : Number.NaN;
}

/** The properties every volume carries: its band and window, for hover and the time filter. */
export function bandAndWindow(v: {
  altitude_lower?: Schemas['Altitude'];
  altitude_upper?: Schemas['Altitude'];
  time_start?: Schemas['Time'];
  time_end?: Schemas['Time'];
}): Props {
  return {
    alt_lower_m: v.altitude_lower?.value ?? Number.NaN,
    alt_upper_m: v.altitude_upper?.value ?? Number.NaN,
    time_start: v.time_start?.value ?? '',
    time_end: v.time_end?.value ?? '',
    start_ms: millis(v.time_start),
    end_ms: millis(v.time_end),
  };
}

/** One feature per extent of a Volume4D list. */
export function volumeFeatures(extents: Volume4D[], props: Props): Feature<Polygon>[] {
  const out: Feature<Polygon>[] = [];
  for (const v of extents) {
    const geometry = footprint(v);
    if (!geometry) continue;
    const band = bandAndWindow({ ...v.volume, time_start: v.time_start, time_end: v.time_end });
    out.push({ type: 'Feature', geometry, properties: { ...props, ...band } });
  }
  return out;
}

/** An overlap's bounding box as a rectangle, or null when the box is incomplete. */
export function overlapFeature(overlap: Overlap | undefined, props: Props): Feature<Polygon> | null {
  const b = overlap?.bounding_box;
  if (!overlap || !b) return null;
  const { lat_min: s, lat_max: n, lng_min: w, lng_max: e } = b;
  if (s === undefined || n === undefined || w === undefined || e === undefined) return null;
  const ring = [[w, s], [e, s], [e, n], [w, n], [w, s]];
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [ring] },
    properties: { ...props, ...bandAndWindow(overlap) },
  };
}

/** Pixels at zoom 0 of `metres` at latitude `lat` (double it per zoom level). */
export function metresToPixelsAtZoom0(metres: number, lat: number): number {
  return metres / (kMetresPerPixelZoom0 * Math.cos((lat * Math.PI) / 180));
}

/** A representative latitude of a geometry (its first position's), 0 when it has none. */
export function latitudeOf(g: Geometry): number {
  let p: unknown = 'coordinates' in g ? g.coordinates : undefined;
  while (Array.isArray(p) && Array.isArray(p[0])) p = p[0];
  return Array.isArray(p) && typeof p[1] === 'number' ? p[1] : 0;
}
