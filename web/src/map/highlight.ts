// map/highlight.ts: "Map" on a row of a list: the map flies to the item's place and draws it
// highlighted (a white outline on a dark casing, readable on both themes) until another item is
// shown or the highlight is cleared. The map's element carries `data-highlight` (the item's
// key) once the view has arrived, so a test can tell when the flight is over.
import type { Feature, Geometry } from 'geojson';
import { LngLatBounds } from 'maplibre-gl';
import type { ConsoleMap } from './console_map';
import { circleRing, collection } from './geometry';

const kFlightMs = 600;

function extend(bounds: LngLatBounds, p: unknown): void {
  if (!Array.isArray(p)) return;
  if (typeof p[0] === 'number' && typeof p[1] === 'number') bounds.extend([p[0], p[1]]);
  else for (const q of p) extend(bounds, q);
}

/** A point with an uncertainty or buffer radius as the geometries to highlight. */
export function pointAndRadius(lat: number, lng: number, radiusM: number | undefined): Geometry[] {
  const point: Geometry = { type: 'Point', coordinates: [lng, lat] };
  return radiusM && radiusM > 0 ? [point, { type: 'Polygon', coordinates: [circleRing(lat, lng, radiusM)] }] : [point];
}

/** Flies to `geometries` and draws them highlighted; false when they hold no position. */
export function showOnMap(consoleMap: ConsoleMap, key: string, label: string, geometries: Geometry[]): boolean {
  const bounds = new LngLatBounds();
  for (const g of geometries) if ('coordinates' in g) extend(bounds, g.coordinates);
  if (bounds.isEmpty()) return false;
  const features: Feature[] = geometries.map((geometry) => ({ type: 'Feature', geometry, properties: { layer: 'highlight', key, label } }));
  consoleMap.setData('highlight', collection(features));
  const container = consoleMap.map.getContainer();
  delete container.dataset.highlight;
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  consoleMap.map.once('moveend', () => (container.dataset.highlight = key));
  const sw = bounds.getSouthWest();
  const ne = bounds.getNorthEast();
  if (sw.lng === ne.lng && sw.lat === ne.lat) {
    consoleMap.map.flyTo({ center: sw, zoom: 11, duration: reduced ? 0 : kFlightMs });
  } else {
    consoleMap.map.fitBounds(bounds, { padding: 80, maxZoom: 11, duration: reduced ? 0 : kFlightMs });
  }
  return true;
}

export function clearHighlight(consoleMap: ConsoleMap): void {
  consoleMap.setData('highlight', collection([]));
  delete consoleMap.map.getContainer().dataset.highlight;
}
