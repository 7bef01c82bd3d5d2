// map/layers.ts: the overlay sources and layers drawn over any base style, bottom to top:
// humanitarian places, volumes (operations, conflicts, the last query's area), incidents, then
// live traffic. Lengths in metres (buffers, corridors) become widths per zoom level from each
// feature's `*_px0` property (geometry.ts metresToPixelsAtZoom0). Tracks shrink and lose their
// outline when zoomed out: 10,000 of them stay readable and cheap to draw.
import type { ExpressionSpecification, LayerSpecification } from 'maplibre-gl';

export const kSourceIds = [
  'site-areas',
  'site-points',
  'movements',
  'operations',
  'conflicts',
  'query-area',
  'missing',
  'sketch',
  'incidents',
  'encounters',
  'tracks',
  'territory',
  'highlight',
] as const;
export type SourceId = (typeof kSourceIds)[number];

/** Groups the user shows or hides together. */
export const kGroups = ['places', 'volumes', 'incidents', 'traffic', 'drawing', 'highlight'] as const;
export type LayerGroup = (typeof kGroups)[number];
export const isGroup = (v: unknown): v is LayerGroup => kGroups.some((g) => g === v);

/** The layers the time slider filters: those of volumes with a time window. */
export const kTimedLayers = ['operations-fill', 'operations-line', 'conflicts-fill', 'conflicts-line', 'territory-fill', 'territory-line'];

export const kColours = {
  own: '#3d8bfd',
  other: '#9aa4ad',
  conflict: '#ff3b3b',
  place: '#2fbf71',
  corridor: '#20c5c5',
  query: '#d9a400',
  missing: '#ffd60a',
  sketch: '#b388ff',
  encounter: '#ff7a00',
  territory: '#f4a261',
  highlight: '#ffffff',
  ownTrack: '#4fc3ff',
  otherTrack: '#ff5fd2',
};

export const kIncidentColours: Record<string, string> = {
  reported: '#f5a623',
  verified: '#e5484d',
  disputed: '#a66bff',
  unverifiable: '#8b949e',
};

/** A width in pixels that stays `factor` times the metres in `property` at every zoom. */
function metresWide(property: string, factor: number): ExpressionSpecification {
  return [
    'interpolate',
    ['exponential', 2],
    ['zoom'],
    0,
    ['*', factor, ['get', property]],
    24,
    ['*', factor * 2 ** 24, ['get', property]],
  ];
}

const incidentColour: ExpressionSpecification = [
  'match',
  ['get', 'status'],
  ...Object.entries(kIncidentColours).flat(),
  '#ffffff',
] as unknown as ExpressionSpecification;

interface GroupedLayer {
  group: LayerGroup;
  layer: LayerSpecification;
}

export const kOverlayLayers: GroupedLayer[] = [
  { group: 'places', layer: { id: 'site-buffers', type: 'fill', source: 'site-areas', paint: { 'fill-color': kColours.place, 'fill-opacity': 0.18 } } },
  { group: 'places', layer: { id: 'site-polygon-buffers', type: 'line', source: 'site-areas', filter: ['==', ['get', 'kind_of_area'], 'site'], paint: { 'line-color': kColours.place, 'line-opacity': 0.18, 'line-width': metresWide('buffer_px0', 2) } } },
  { group: 'places', layer: { id: 'site-outlines', type: 'line', source: 'site-areas', paint: { 'line-color': kColours.place, 'line-width': 1.5 } } },
  { group: 'places', layer: { id: 'movement-corridors', type: 'line', source: 'movements', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': kColours.corridor, 'line-opacity': 0.22, 'line-width': metresWide('corridor_px0', 2) } } },
  { group: 'places', layer: { id: 'movement-routes', type: 'line', source: 'movements', paint: { 'line-color': kColours.corridor, 'line-width': 2, 'line-dasharray': [2, 1] } } },
  { group: 'volumes', layer: { id: 'operations-fill', type: 'fill', source: 'operations', paint: { 'fill-color': ['case', ['get', 'own'], kColours.own, kColours.other], 'fill-opacity': 0.22 } } },
  { group: 'volumes', layer: { id: 'operations-line', type: 'line', source: 'operations', paint: { 'line-color': ['case', ['get', 'in_conflict'], kColours.conflict, ['get', 'own'], kColours.own, kColours.other], 'line-width': ['case', ['get', 'in_conflict'], 2.5, 1.5] } } },
  { group: 'volumes', layer: { id: 'territory-fill', type: 'fill', source: 'territory', paint: { 'fill-color': kColours.territory, 'fill-opacity': 0.3 } } },
  { group: 'volumes', layer: { id: 'territory-line', type: 'line', source: 'territory', paint: { 'line-color': kColours.territory, 'line-width': 2, 'line-dasharray': [3, 1] } } },
  { group: 'volumes', layer: { id: 'conflicts-fill', type: 'fill', source: 'conflicts', paint: { 'fill-color': kColours.conflict, 'fill-opacity': 0.4 } } },
  { group: 'volumes', layer: { id: 'conflicts-line', type: 'line', source: 'conflicts', paint: { 'line-color': kColours.conflict, 'line-width': 2, 'line-dasharray': [1, 1] } } },
  { group: 'volumes', layer: { id: 'query-area', type: 'line', source: 'query-area', paint: { 'line-color': kColours.query, 'line-width': 1.5, 'line-dasharray': [4, 2] } } },
  { group: 'drawing', layer: { id: 'sketch-fill', type: 'fill', source: 'sketch', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': kColours.sketch, 'fill-opacity': 0.15 } } },
  { group: 'drawing', layer: { id: 'sketch-line', type: 'line', source: 'sketch', paint: { 'line-color': kColours.sketch, 'line-width': 2, 'line-dasharray': [3, 2] } } },
  { group: 'drawing', layer: { id: 'sketch-vertices', type: 'circle', source: 'sketch', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': kColours.sketch, 'circle-radius': 4, 'circle-stroke-color': '#000000', 'circle-stroke-width': 1 } } },
  { group: 'volumes', layer: { id: 'missing-fill', type: 'fill', source: 'missing', paint: { 'fill-color': kColours.missing, 'fill-opacity': 0.45 } } },
  { group: 'volumes', layer: { id: 'missing-line', type: 'line', source: 'missing', paint: { 'line-color': kColours.missing, 'line-width': 4 } } },
  { group: 'incidents', layer: { id: 'incidents', type: 'circle', source: 'incidents', paint: { 'circle-color': incidentColour, 'circle-radius': 6, 'circle-stroke-color': '#000000', 'circle-stroke-width': 1 } } },
  { group: 'places', layer: { id: 'site-points', type: 'circle', source: 'site-points', paint: { 'circle-color': kColours.place, 'circle-radius': 5, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } } },
  { group: 'traffic', layer: { id: 'encounters', type: 'line', source: 'encounters', paint: { 'line-color': kColours.encounter, 'line-width': 3 } } },
  { group: 'traffic', layer: { id: 'tracks', type: 'circle', source: 'tracks', paint: { 'circle-color': ['case', ['get', 'own'], kColours.ownTrack, kColours.otherTrack], 'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 2.5, 7, 3.5, 10, 4], 'circle-stroke-color': '#000000', 'circle-stroke-width': ['step', ['zoom'], 0, 6, 1] } } },
  // Last, above everything: the item a list's "Map" shows (map/highlight.ts).
  { group: 'highlight', layer: { id: 'highlight-casing', type: 'line', source: 'highlight', paint: { 'line-color': '#000000', 'line-width': 7, 'line-opacity': 0.7 } } },
  { group: 'highlight', layer: { id: 'highlight-line', type: 'line', source: 'highlight', paint: { 'line-color': kColours.highlight, 'line-width': 3 } } },
  { group: 'highlight', layer: { id: 'highlight-point', type: 'circle', source: 'highlight', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 14, 'circle-stroke-color': kColours.highlight, 'circle-stroke-width': 4 } } },
];

/** The layers whose features the hover shows. */
export const kHoverLayers = [
  'tracks',
  'encounters',
  'incidents',
  'site-points',
  'missing-fill',
  'conflicts-fill',
  'territory-fill',
  'operations-fill',
  'movement-routes',
  'site-buffers',
];
