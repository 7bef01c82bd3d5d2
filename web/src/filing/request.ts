// filing/request.ts: the body of PUT /v1/operations/{id} (openapi OperationRequest) from what
// the user drew or pasted, and the key rule's refusal (409) read back: `missing` (other
// parties' live operations the volumes meet, each with its overlap and OVN) and
// `protected_missing` (protected places met whose version is required in the key; the server
// sends it though openapi.json does not list it yet, so it is read defensively here).
import type { Schemas } from '../api/client';
import type { MissingArea } from '../map/volumes';
import type { Shape } from '../map/draw';

type Volume4D = Schemas['Volume4D'];
export type OperationRequest = Schemas['OperationRequest'];
export type OperationState = OperationRequest['state'];

export interface Band {
  lowerM: number;
  upperM: number;
  startMs: number;
  endMs: number;
}

const rfc3339 = (ms: number): Schemas['Time'] => ({
  value: new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'),
  format: 'RFC3339',
});
const altitude = (m: number): Schemas['Altitude'] => ({ value: m, reference: 'W84', units: 'M' });

/** The Volume4D of a drawn shape with the band and window chosen. */
export function volumeOf(shape: Shape, band: Band): Volume4D {
  const volume: Volume4D['volume'] = {
    altitude_lower: altitude(band.lowerM),
    altitude_upper: altitude(band.upperM),
  };
  if (shape.kind === 'circle') {
    const [lng = 0, lat = 0] = shape.center;
    volume.outline_circle = { center: { lat, lng }, radius: { value: shape.radiusM, units: 'M' } };
  } else {
    volume.outline_polygon = { vertices: shape.vertices.map(([lng = 0, lat = 0]) => ({ lat, lng })) };
  }
  return { volume, time_start: rfc3339(band.startMs), time_end: rfc3339(band.endMs) };
}

/**
 * The extents in pasted JSON: one Volume4D, an array of them, or an object with `extents`
 * (an OperationRequest). The server checks every field; this only finds the list.
 * Throws an Error saying what it could not read.
 */
export function pastedExtents(text: string): Volume4D[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`the pasted text is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'extents' in value) {
    value = value.extents;
  }
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (!list.length) throw new Error('the pasted JSON has no Volume4D');
  return list.map((v, i) => {
    if (typeof v !== 'object' || v === null || !('volume' in v)) {
      throw new Error(`pasted item ${i} is not a Volume4D (it has no "volume")`);
    }
    // The server validates the rest and names the field it refuses.
    return v as Volume4D;
  });
}

/** The UTC time of a datetime-local input's value read as UTC ("2026-12-07T17:30"). */
export function utcMillis(value: string): number {
  return value ? Date.parse(`${value}:00Z`) : Number.NaN;
}

/** A datetime-local value (UTC) for a time. */
export function utcInputValue(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The overlap as the API wrote it, when it has the Overlap's shape. */
function overlapOf(v: unknown): Schemas['Overlap'] | undefined {
  return isRecord(v) && isRecord(v.bounding_box) ? (v as Schemas['Overlap']) : undefined;
}

/** What a 409's body lacks in the key, operations first; [] when it is another 409. */
export function missingOf(body: unknown): MissingArea[] {
  if (!isRecord(body)) return [];
  const out: MissingArea[] = [];
  for (const m of Array.isArray(body.missing) ? body.missing : []) {
    if (!isRecord(m)) continue;
    out.push({ kind: 'operation', ref: str(m.id), party: str(m.party), ovn: str(m.ovn), overlap: overlapOf(m.overlap) });
  }
  for (const p of Array.isArray(body.protected_missing) ? body.protected_missing : []) {
    if (!isRecord(p)) continue;
    out.push({ kind: 'protected', ref: str(p.ref), party: '', ovn: str(p.version), overlap: overlapOf(p.overlap) });
  }
  return out;
}
