// map/basemap.ts: the base map that needs no internet: Natural Earth countries (npm world-atlas,
// 1:50m, bundled as an asset) drawn as a GeoJSON fill and border line on a plain background.
// A site with its own tiles sets a style URL instead (settings); overlays go on top of either.
import type { StyleSpecification } from 'maplibre-gl';
import type { FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countriesUrl from 'world-atlas/countries-50m.json?url';

export type Theme = 'dark' | 'light';

interface BaseColours {
  sea: string;
  land: string;
  border: string;
}

export const kBaseColours: Record<Theme, BaseColours> = {
  dark: { sea: '#0a141c', land: '#1f2d38', border: '#4a5d6c' },
  light: { sea: '#c9dce8', land: '#f3f0e8', border: '#8c9aa5' },
};

function isCountriesTopology(v: unknown): v is Topology<{ countries: GeometryCollection }> {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as { type?: unknown; objects?: { countries?: { type?: unknown } } };
  return t.type === 'Topology' && t.objects?.countries?.type === 'GeometryCollection';
}

/** The countries as GeoJSON, converted from the bundled TopoJSON. */
export async function loadCountries(): Promise<FeatureCollection<Geometry>> {
  const response = await fetch(countriesUrl);
  if (!response.ok) throw new Error(`the country layer (${countriesUrl}): ${response.status}`);
  const topology: unknown = await response.json();
  if (!isCountriesTopology(topology)) throw new Error('the country layer is not a TopoJSON');
  return feature(topology, topology.objects.countries);
}

/** A style with the countries on a plain background, coloured for `theme`. */
export function offlineStyle(countries: FeatureCollection<Geometry>, theme: Theme): StyleSpecification {
  const c = kBaseColours[theme];
  return {
    version: 8,
    sources: { countries: { type: 'geojson', data: countries } },
    layers: [
      { id: 'base-background', type: 'background', paint: { 'background-color': c.sea } },
      { id: 'base-land', type: 'fill', source: 'countries', paint: { 'fill-color': c.land } },
      {
        id: 'base-borders',
        type: 'line',
        source: 'countries',
        paint: { 'line-color': c.border, 'line-width': 0.7 },
      },
    ],
  };
}
