// filing/filing_pane.ts: "File an operation": a footprint drawn on the map (or pasted Volume4D
// JSON), an altitude band, a window and a state, sent as PUT /v1/operations/{new UUID}. A 409
// from the key rule shows what is missing (drawn highlighted on the map, listed here) and
// offers to file the same request again with those OVNs added to the key. Every refusal's
// message is shown as the server wrote it, with the field it names.
import { LngLatBounds } from 'maplibre-gl';
import { ApiError, describeError, type Answer } from '../api/client';
import { byId, el, formatTime } from '../dom';
import type { ConsoleMap } from '../map/console_map';
import { DrawTool, type Shape } from '../map/draw';
import type { MissingArea, Volumes } from '../map/volumes';
import type { Session } from '../session';
import { missingOf, pastedExtents, utcInputValue, utcMillis, volumeOf, type OperationRequest, type OperationState } from './request';

type Filed = Answer<'/v1/operations/{id}', 'put'>;
const kStates: OperationState[] = ['Accepted', 'Activated', 'Nonconforming', 'Contingent'];

/** A random (version 4) UUID, also where crypto.randomUUID is missing (no secure context). */
export function newUuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function describeShape(s: Shape): string {
  if (s.kind === 'circle') {
    const [lng = 0, lat = 0] = s.center;
    return `Circle of ${s.radiusM} m around ${lat.toFixed(4)}, ${lng.toFixed(4)}.`;
  }
  return `Polygon of ${s.vertices.length} vertices.`;
}

export class FilingPane {
  private readonly draw: DrawTool;
  private readonly form = byId('filing-form', HTMLFormElement);
  private readonly status = byId('draw-status', HTMLElement);
  private readonly result = byId('filing-result', HTMLElement);
  private readonly keyInfo = byId('op-key', HTMLElement);
  private readonly submit = byId('file-submit', HTMLButtonElement);
  private readonly input = {
    lower: byId('alt-lower', HTMLInputElement),
    upper: byId('alt-upper', HTMLInputElement),
    start: byId('time-start', HTMLInputElement),
    end: byId('time-end', HTMLInputElement),
    state: byId('op-state', HTMLSelectElement),
    label: byId('op-label', HTMLInputElement),
    json: byId('op-json', HTMLTextAreaElement),
  };
  private id = newUuid();
  private readonly key = new Set<string>();

  constructor(
    private readonly session: Session,
    private readonly map: ConsoleMap,
    private readonly volumes: Volumes,
    private readonly onVerify: (ledgerIndex: number) => void,
  ) {
    this.draw = new DrawTool(map, (s) => this.onShape(s), (t) => (this.status.textContent = t));
    byId('draw-polygon', HTMLButtonElement).addEventListener('click', () => this.draw.start('polygon'));
    byId('draw-circle', HTMLButtonElement).addEventListener('click', () => this.draw.start('circle'));
    byId('draw-clear', HTMLButtonElement).addEventListener('click', () => this.reset());
    this.input.state.replaceChildren(...kStates.map((s) => el('option', { value: s }, s)));
    const start = Math.ceil(Date.now() / 600000) * 600000 + 600000;
    this.input.start.value = utcInputValue(start);
    this.input.end.value = utcInputValue(start + 3600000);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.file();
    });
    this.showKey();
  }

  /** The request from the form: the pasted extents as they are, else the drawn shape. */
  private request(): OperationRequest {
    const pasted = this.input.json.value.trim();
    let extents: OperationRequest['extents'];
    if (pasted) {
      extents = pastedExtents(pasted);
    } else {
      const shape = this.draw.current;
      if (!shape) throw new Error('draw a polygon or a circle on the map first, or paste Volume4D JSON');
      extents = [volumeOf(shape, {
        lowerM: Number(this.input.lower.value),
        upperM: Number(this.input.upper.value),
        startMs: utcMillis(this.input.start.value),
        endMs: utcMillis(this.input.end.value),
      })];
    }
    const state = kStates.find((s) => s === this.input.state.value) ?? 'Accepted';
    const label = this.input.label.value.trim();
    return { extents, state, ...(this.key.size ? { key: [...this.key] } : {}), ...(label ? { label } : {}) };
  }

  private async file(): Promise<void> {
    this.result.replaceChildren();
    let body: OperationRequest;
    try {
      body = this.request();
    } catch (e) {
      this.result.append(el('p', { class: 'error', role: 'alert' }, describeError(e)));
      return;
    }
    this.submit.disabled = true;
    try {
      const filed = await this.session.api.call('put', '/v1/operations/{id}', { path: { id: this.id }, body });
      this.filed(filed);
    } catch (e) {
      this.refused(e);
    } finally {
      this.submit.disabled = false;
    }
  }

  private filed(answer: Filed): void {
    const op = answer.operation;
    this.volumes.setMissing([]);
    this.key.clear();
    this.showKey();
    this.id = newUuid();
    this.draw.clear();
    this.input.json.value = '';
    const verify = el('button', { type: 'button', class: 'secondary verify' }, `Verify ledger #${answer.ledger_index ?? '?'}`);
    const index = answer.ledger_index;
    if (index !== undefined) verify.addEventListener('click', () => this.onVerify(index));
    const conflicts = answer.conflicts ?? [];
    this.result.append(
      el('div', { class: 'filed', 'data-operation': op?.id ?? '' },
        el('strong', {}, `Filed ${op?.label ? `"${op.label}" ` : ''}${op?.id ?? ''}`),
        el('div', { class: 'info' }, `version ${op?.version ?? '?'} · ovn ${op?.ovn ?? '?'} · ${op?.state ?? ''}`),
        conflicts.length ? el('div', { class: 'info' }, `In conflict (acknowledged in the key) with ${conflicts.map((c) => `${c.party ?? '?'} ${c.id ?? ''}`).join(', ')}`) : null,
        index !== undefined ? verify : null),
    );
    void this.volumes.refresh();
  }

  private refused(e: unknown): void {
    const missing = e instanceof ApiError && e.status === 409 ? missingOf(e.body) : [];
    this.result.append(el('p', { class: 'error', role: 'alert' }, `${e instanceof ApiError ? `${e.status}: ` : ''}${describeError(e)}`));
    if (!missing.length) return;
    this.volumes.setMissing(missing);
    this.frame(missing);
    const again = el('button', { type: 'button', id: 'file-with-key' }, 'File again with their OVNs in the key');
    again.addEventListener('click', () => {
      for (const m of missing) if (m.ovn) this.key.add(m.ovn);
      this.showKey();
      void this.file();
    });
    this.result.append(
      el('h3', {}, 'Missing from the key'),
      el('ul', { class: 'missing-list' }, ...missing.map((m) => this.missingItem(m))),
      again,
    );
    again.scrollIntoView({ block: 'nearest' });
  }

  private missingItem(m: MissingArea): HTMLLIElement {
    const o = m.overlap;
    const band = o ? `${o.altitude_lower?.value ?? '?'}–${o.altitude_upper?.value ?? '?'} m` : '';
    const window = o ? `${formatTime(o.time_start?.value)} → ${formatTime(o.time_end?.value)}` : '';
    const title = m.kind === 'operation' ? `${m.party} operation ${m.ref}` : `protected place ${m.ref}`;
    return el('li', { 'data-ref': m.ref },
      el('strong', {}, title),
      el('div', { class: 'info' }, `ovn ${m.ovn}`),
      el('div', { class: 'info' }, `overlap ${band} · ${window}`));
  }

  private frame(missing: MissingArea[]): void {
    const bounds = new LngLatBounds();
    for (const m of missing) {
      const b = m.overlap?.bounding_box;
      if (b?.lng_min !== undefined && b.lat_min !== undefined) bounds.extend([b.lng_min, b.lat_min]);
      if (b?.lng_max !== undefined && b.lat_max !== undefined) bounds.extend([b.lng_max, b.lat_max]);
    }
    if (!bounds.isEmpty()) this.map.map.fitBounds(bounds, { padding: 120, maxZoom: 10, duration: 0 });
  }

  private onShape(shape: Shape | null): void {
    this.status.textContent = shape ? describeShape(shape) : 'Draw the footprint on the map, or paste Volume4D JSON.';
  }

  private reset(): void {
    this.draw.clear();
    this.key.clear();
    this.showKey();
    this.volumes.setMissing([]);
    this.result.replaceChildren();
    this.id = newUuid();
  }

  private showKey(): void {
    this.keyInfo.textContent = this.key.size ? `Key: ${[...this.key].join(', ')}` : 'Key: empty';
  }
}
