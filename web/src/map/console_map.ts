// map/console_map.ts: the MapLibre map of the console. It owns the overlay data so that a new
// base style (theme or style URL) can be swapped in without refetching anything: on every
// 'style.load' the overlay sources are added again with the data last given.
import {
  AttributionControl,
  GeoJSONSource,
  LngLatBounds,
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type ExpressionSpecification,
  type FilterSpecification,
  type StyleSpecification,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { FeatureCollection, Geometry } from 'geojson';
import { kBaseColours, type Theme } from './basemap';
import { kOverlayLayers, kSourceIds, kTimedLayers, type LayerGroup, type SourceId } from './layers';

setWorkerUrl(workerUrl);

const kEmpty: FeatureCollection = { type: 'FeatureCollection', features: [] };

export class ConsoleMap {
  readonly map: MapLibreMap;
  private readonly data = new Map<SourceId, FeatureCollection<Geometry>>();
  private readonly hidden = new Set<LayerGroup>();
  private timeMs: number | null = null;

  constructor(container: HTMLElement, style: StyleSpecification | string) {
    this.map = new MapLibreMap({
      container,
      style,
      center: [38, 34],
      zoom: 2,
      attributionControl: false,
    });
    this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
    this.map.addControl(
      new AttributionControl({ compact: true, customAttribution: 'Natural Earth' }),
      'bottom-right',
    );
    this.map.on('style.load', () => this.addOverlays());
    // Tests and users can tell a drawn map from one still loading.
    this.map.on('idle', () => container.setAttribute('data-map-idle', 'true'));
    // The view's [west, south, east, north], so a test can click at a known place.
    this.map.on('moveend', () => (container.dataset.bounds = JSON.stringify(this.map.getBounds().toArray().flat())));
    this.map.on('dataloading', () => container.removeAttribute('data-map-idle'));
  }

  /** Replaces one overlay's features; kept for later style changes. */
  setData(id: SourceId, features: FeatureCollection<Geometry>): void {
    this.data.set(id, features);
    const source = this.map.getSource(id);
    if (source instanceof GeoJSONSource) source.setData(features);
  }

  /** A new base style (the offline one or a URL); overlays come back on top. */
  setStyle(style: StyleSpecification | string): void {
    this.map.setStyle(style, { diff: false });
  }

  /** Recolours the offline base layers, when the current style has them. */
  setTheme(theme: Theme): void {
    const c = kBaseColours[theme];
    if (this.map.getLayer('base-background')) {
      this.map.setPaintProperty('base-background', 'background-color', c.sea);
      this.map.setPaintProperty('base-land', 'fill-color', c.land);
      this.map.setPaintProperty('base-borders', 'line-color', c.border);
    }
  }

  /** Shows only volumes whose window [start, end) holds `ms`; null shows every volume. */
  setTime(ms: number | null): void {
    this.timeMs = ms;
    this.applyFilters();
  }

  setGroupVisible(group: LayerGroup, visible: boolean): void {
    if (visible) this.hidden.delete(group);
    else this.hidden.add(group);
    for (const { group: g, layer } of kOverlayLayers) {
      if (g === group && this.map.getLayer(layer.id)) {
        this.map.setLayoutProperty(layer.id, 'visibility', visible ? 'visible' : 'none');
      }
    }
  }

  /** Sets an opacity of an overlay layer if it exists (e.g. flashing encounters). */
  setPaint(layerId: string, property: 'line-opacity', value: ExpressionSpecification): void {
    if (this.map.getLayer(layerId)) this.map.setPaintProperty(layerId, property, value);
  }

  /** Frames every overlay feature but live traffic; false when there is none. */
  fitToOverlays(): boolean {
    const bounds = new LngLatBounds();
    const extend = (p: unknown): void => {
      if (!Array.isArray(p)) return;
      if (typeof p[0] === 'number' && typeof p[1] === 'number') bounds.extend([p[0], p[1]]);
      else for (const q of p) extend(q);
    };
    for (const [id, fc] of this.data) {
      if (id === 'tracks' || id === 'encounters') continue;
      for (const f of fc.features) if ('coordinates' in f.geometry) extend(f.geometry.coordinates);
    }
    if (bounds.isEmpty()) return false;
    this.map.fitBounds(bounds, { padding: 60, maxZoom: 8, duration: 0 });
    return true;
  }

  private addOverlays(): void {
    for (const id of kSourceIds) {
      if (!this.map.getSource(id)) {
        this.map.addSource(id, { type: 'geojson', data: this.data.get(id) ?? kEmpty });
      }
    }
    for (const { group, layer } of kOverlayLayers) {
      if (this.map.getLayer(layer.id)) continue;
      this.map.addLayer(layer);
      if (this.hidden.has(group)) this.map.setLayoutProperty(layer.id, 'visibility', 'none');
    }
    this.applyFilters();
  }

  private applyFilters(): void {
    const t = this.timeMs;
    const filter: FilterSpecification | null =
      t === null ? null : ['all', ['<=', ['get', 'start_ms'], t], ['>', ['get', 'end_ms'], t]];
    for (const id of kTimedLayers) {
      if (this.map.getLayer(id)) this.map.setFilter(id, filter);
    }
  }
}
