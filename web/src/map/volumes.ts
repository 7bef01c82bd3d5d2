// map/volumes.ts: the strategic picture on the map: the caller's own live operations
// (GET /v1/operations, every page, whole), its conflicts (GET /v1/conflicts, every page), the
// operations a refused filing found missing from its key (the 409's `missing`), and, when the
// user asks, the operations of one area (POST /v1/operations/query).
//
// A query that shows other parties' operations is a probe their owners see (GET /v1/probes),
// so the page never queries on its own: only the "Query this view" button does.
import type { Feature, Polygon } from 'geojson';
import type { LngLatBounds } from 'maplibre-gl';
import type { Schemas } from '../api/client';
import type { Session } from '../session';
import type { ConsoleMap } from './console_map';
import { collection, overlapFeature, volumeFeatures } from './geometry';

type Operation = Schemas['Operation'];
type Reference = Schemas['OperationReference'];
/** A query's item: an own operation whole, or another party's as a reference with its overlap. */
type QueryItem = Operation | Reference;
/** A place or operation a refused filing met without its OVN in the key, as the map draws it. */
export interface MissingArea {
  kind: 'operation' | 'protected';
  ref: string;
  party: string;
  ovn: string;
  overlap: Schemas['Overlap'] | undefined;
}
type OwnConflict = {
  operation?: string;
  other?: Schemas['OperationReference'];
  overlap?: Schemas['Overlap'];
};

/** Side of the largest square area a query may cover (10,000 km², openapi Volume4D). */
const kMaxQuerySideKm = 99;
const kDay = 24 * 3600 * 1000;

export class Volumes {
  private conflicts: OwnConflict[] = [];
  private readonly own = new Map<string, Operation>();
  private queried: QueryItem[] = [];

  constructor(
    private readonly session: Session,
    private readonly map: ConsoleMap,
  ) {}

  /** Reloads the own operations and the conflicts. */
  async refresh(): Promise<void> {
    const [own, conflicts] = await Promise.all([this.ownOperations(), this.allConflicts()]);
    this.own.clear();
    for (const op of own) if (op.id) this.own.set(op.id, op);
    this.conflicts = conflicts;
    this.draw();
  }

  /** The own operation of this id, when it is live and loaded. */
  ownOperation(id: string): Operation | undefined {
    return this.own.get(id);
  }

  /** Draws (or, with [], clears) what a refused filing lacked in its key. */
  setMissing(areas: MissingArea[]): void {
    const features: Feature<Polygon>[] = [];
    for (const a of areas) {
      const f = overlapFeature(a.overlap, { layer: 'missing', kind: a.kind, ref: a.ref, party: a.party, ovn: a.ovn });
      if (f) features.push(f);
    }
    this.map.setData('missing', collection(features));
  }

  private async ownOperations(): Promise<Operation[]> {
    const out: Operation[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.session.api.call('get', '/v1/operations', { query: { limit: 1000, cursor } });
      out.push(...(page.operations ?? []));
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  private async allConflicts(): Promise<OwnConflict[]> {
    const out: OwnConflict[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.session.api.call('get', '/v1/conflicts', { query: { limit: 1000, cursor } });
      out.push(...(page.conflicts ?? []));
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  /**
   * Queries the live operations in the view (at most a centred 99 km square: the API's limit)
   * from now to 30 days ahead, at every altitude. Returns how many operations it found.
   */
  async queryView(bounds: LngLatBounds): Promise<number> {
    const ring = clampedRing(bounds);
    const now = Date.now();
    const area: Schemas['Volume4D'] = {
      volume: {
        outline_polygon: { vertices: ring.map(([lng, lat]) => ({ lat, lng })) },
        altitude_lower: { value: -8000, reference: 'W84', units: 'M' },
        altitude_upper: { value: 100000, reference: 'W84', units: 'M' },
      },
      time_start: { value: new Date(now).toISOString(), format: 'RFC3339' },
      time_end: { value: new Date(now + 30 * kDay - 60000).toISOString(), format: 'RFC3339' },
    };
    const found: QueryItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.session.api.call('post', '/v1/operations/query', {
        body: { area_of_interest: area, limit: 1000, ...(cursor ? { cursor } : {}) },
      });
      found.push(...(page.operations ?? []));
      cursor = page.next_cursor;
    } while (cursor);
    this.queried = found;
    for (const op of found) {
      if (op.id && op.party === this.session.party && 'extents' in op) this.own.set(op.id, op);
    }
    const closedRing = [...ring, ring[0] ?? [0, 0]];
    this.map.setData('query-area', collection([{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [closedRing] } }]));
    this.draw();
    return found.length;
  }

  private draw(): void {
    const inConflict = new Set(this.conflicts.map((c) => c.operation));
    const features: Feature<Polygon>[] = [];
    for (const op of this.own.values()) {
      features.push(...volumeFeatures(op.extents ?? [], propsOf(op, true, inConflict.has(op.id))));
    }
    for (const item of this.queried) {
      if (item.id && this.own.has(item.id)) continue;
      if ('extents' in item && item.extents) features.push(...volumeFeatures(item.extents, propsOf(item, false, false)));
      if ('overlap' in item) {
        const f = overlapFeature(item.overlap, { ...propsOf(item, false, false), coarsened: item.coarsened ?? false });
        if (f) features.push(f);
      }
    }
    this.map.setData('operations', collection(features));
    const conflictFeatures: Feature<Polygon>[] = [];
    for (const c of this.conflicts) {
      const f = overlapFeature(c.overlap ?? c.other?.overlap, {
        layer: 'conflict',
        operation: c.operation ?? '',
        other_id: c.other?.id ?? '',
        other_party: c.other?.party ?? '',
      });
      if (f) conflictFeatures.push(f);
    }
    this.map.setData('conflicts', collection(conflictFeatures));
  }
}

function propsOf(op: Operation | Reference, own: boolean, inConflict: boolean): Record<string, string | boolean> {
  return {
    layer: 'operation',
    id: op.id ?? '',
    party: op.party ?? '',
    label: 'label' in op ? (op.label ?? '') : '',
    state: op.state ?? '',
    own,
    in_conflict: inConflict,
  };
}

/** The view's corners, shrunk about its centre to a square of at most kMaxQuerySideKm. */
function clampedRing(bounds: LngLatBounds): [number, number][] {
  const c = bounds.getCenter();
  const kmPerDegLat = 111.32;
  const kmPerDegLng = 111.32 * Math.cos((c.lat * Math.PI) / 180);
  const halfLat = Math.min((bounds.getNorth() - bounds.getSouth()) / 2, kMaxQuerySideKm / 2 / kmPerDegLat);
  const halfLng = Math.min((bounds.getEast() - bounds.getWest()) / 2, kMaxQuerySideKm / 2 / kmPerDegLng);
  const s = Math.max(c.lat - halfLat, -89.9);
  const n = Math.min(c.lat + halfLat, 89.9);
  const w = Math.max(c.lng - halfLng, -180);
  const e = Math.min(c.lng + halfLng, 180);
  return [[w, s], [e, s], [e, n], [w, n]];
}
