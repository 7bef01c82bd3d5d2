// map/draw.ts: drawing a footprint on the map for a filing. A polygon: click each vertex, then
// double-click or press Enter to close it (Backspace drops the last vertex). A circle: click
// the centre, then click again at the radius. Escape cancels. What is drawn shows in the
// 'sketch' overlay; the finished shape goes to `onDone`.
import type { Feature, Geometry, Position } from 'geojson';
import type { MapMouseEvent } from 'maplibre-gl';
import type { ConsoleMap } from './console_map';
import { circleRing, collection } from './geometry';

export type Shape =
  | { kind: 'polygon'; vertices: Position[] }
  | { kind: 'circle'; center: Position; radiusM: number };

const kEarthRadiusM = 6371008.8;

/** Great-circle distance in metres between two [lng, lat] positions (haversine). */
export function distanceM(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const [lng1 = 0, lat1 = 0] = a;
  const [lng2 = 0, lat2 = 0] = b;
  const h =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
  return 2 * kEarthRadiusM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The sketch of a shape (possibly unfinished) as features: outline and vertices. */
export function sketchFeatures(shape: Shape | null, cursor: Position | null): Feature<Geometry>[] {
  if (!shape) return [];
  const point = (p: Position): Feature<Geometry> => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } });
  if (shape.kind === 'circle') {
    const [lng = 0, lat = 0] = shape.center;
    const radius = shape.radiusM || (cursor ? distanceM(shape.center, cursor) : 0);
    const out = [point(shape.center)];
    if (radius > 0) out.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [circleRing(lat, lng, radius)] } });
    return out;
  }
  const ring = cursor ? [...shape.vertices, cursor] : shape.vertices;
  const out = shape.vertices.map(point);
  const first = ring[0];
  if (ring.length >= 3 && first) out.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[...ring, first]] } });
  else if (ring.length === 2) out.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring } });
  return out;
}

export class DrawTool {
  private shape: Shape | null = null;
  private drawing: Shape['kind'] | null = null;
  private cursor: Position | null = null;
  private readonly onClick = (e: MapMouseEvent): void => this.click([e.lngLat.lng, e.lngLat.lat]);
  private readonly onMove = (e: MapMouseEvent): void => {
    this.cursor = [e.lngLat.lng, e.lngLat.lat];
    this.show();
  };
  private readonly onDblClick = (e: MapMouseEvent): void => {
    e.preventDefault();
    this.close();
  };
  private readonly onKey = (e: KeyboardEvent): void => {
    if (!this.drawing) return;
    if (e.key === 'Enter') this.close();
    else if (e.key === 'Escape') this.cancel();
    else if (e.key === 'Backspace' && this.shape?.kind === 'polygon') {
      this.shape.vertices.pop();
      this.show();
    } else return;
    e.preventDefault();
  };

  constructor(
    private readonly map: ConsoleMap,
    private readonly onDone: (shape: Shape | null) => void,
    private readonly onStatus: (text: string) => void,
  ) {}

  /** The finished shape, or null. */
  get current(): Shape | null {
    return this.drawing ? null : this.shape;
  }

  start(kind: Shape['kind']): void {
    this.stopListening();
    this.drawing = kind;
    this.shape = null;
    this.cursor = null;
    const m = this.map.map;
    m.doubleClickZoom.disable();
    m.on('click', this.onClick);
    m.on('mousemove', this.onMove);
    m.on('dblclick', this.onDblClick);
    document.addEventListener('keydown', this.onKey);
    m.getCanvas().style.cursor = 'crosshair';
    this.onStatus(kind === 'polygon'
      ? 'Click each vertex; double-click or Enter closes the polygon, Backspace drops a vertex, Escape cancels.'
      : 'Click the centre, then click at the radius. Escape cancels.');
    this.show();
  }

  /** Forgets the shape and stops drawing. */
  clear(): void {
    this.stopListening();
    this.shape = null;
    this.show();
    this.onDone(null);
  }

  private click(p: Position): void {
    if (this.drawing === 'circle') {
      if (!this.shape || this.shape.kind !== 'circle') this.shape = { kind: 'circle', center: p, radiusM: 0 };
      else {
        this.shape.radiusM = Math.round(distanceM(this.shape.center, p));
        if (this.shape.radiusM > 0) this.finish();
      }
    } else if (this.drawing === 'polygon') {
      if (!this.shape || this.shape.kind !== 'polygon') this.shape = { kind: 'polygon', vertices: [] };
      const last = this.shape.vertices[this.shape.vertices.length - 1];
      // The two clicks of a double-click: the second adds no vertex.
      if (!last || last[0] !== p[0] || last[1] !== p[1]) this.shape.vertices.push(p);
    }
    this.show();
  }

  private close(): void {
    if (this.shape?.kind !== 'polygon') return;
    if (this.shape.vertices.length < 3) {
      this.onStatus(`A polygon needs at least 3 vertices (${this.shape.vertices.length} so far).`);
      return;
    }
    this.finish();
  }

  private finish(): void {
    this.stopListening();
    this.show();
    this.onDone(this.shape);
  }

  private cancel(): void {
    this.clear();
    this.onStatus('Drawing cancelled.');
  }

  private stopListening(): void {
    const m = this.map.map;
    m.off('click', this.onClick);
    m.off('mousemove', this.onMove);
    m.off('dblclick', this.onDblClick);
    document.removeEventListener('keydown', this.onKey);
    if (this.drawing) {
      // Re-enabled after the double-click that closed the polygon has been handled.
      window.setTimeout(() => m.doubleClickZoom.enable(), 0);
      m.getCanvas().style.cursor = '';
    }
    this.drawing = null;
    this.cursor = null;
  }

  private show(): void {
    this.map.setData('sketch', collection(sketchFeatures(this.shape, this.drawing ? this.cursor : null)));
  }
}
