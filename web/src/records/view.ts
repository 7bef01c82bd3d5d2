// records/view.ts: what the list-and-detail panes (notifications, incidents, cases, agreements)
// share: reading the API's loosely typed objects (openapi.json types many details as plain
// `object`), a row of a list (open its details, show it on the map, verify its ledger entry),
// a definition list of fields, and how a refusal is written (status and the server's message).
import { ApiError, describeError } from '../api/client';
import { el, formatTime } from '../dom';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
export const str = (o: Obj | undefined, k: string): string => {
  const v = o?.[k];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
};
export const num = (o: Obj | undefined, k: string): number | undefined => {
  const v = o?.[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
export const strs = (o: Obj | undefined, k: string): string[] => {
  const v = o?.[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

/** "400: signature: does not verify …": the status and the server's message as written. */
export function failure(e: unknown): string {
  return `${e instanceof ApiError ? `${e.status}: ` : ''}${describeError(e)}`;
}

export const errorLine = (text = ''): HTMLElement => el('p', { class: 'error', role: 'alert' }, text);

/** Opens the ledger pane on entry `index` and verifies it (main.ts wires it). */
export type Verify = (index: number) => void;

/** A "verify" button for a ledger index, or null when there is none. */
export function verifyButton(index: number | undefined, verify: Verify, label = 'verify'): HTMLButtonElement | null {
  if (index === undefined) return null;
  const b = el('button', { type: 'button', class: 'secondary verify-item', 'data-index': String(index), title: `Verify ledger entry ${index} in the ledger pane` }, `${label} #${index}`);
  b.addEventListener('click', () => verify(index));
  return b;
}

export function button(text: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'secondary', ...attrs }, text);
  b.addEventListener('click', onClick);
  return b;
}

/** One row of a list: a button opening its details, then "Map" and "verify" when they apply. */
export interface RowSpec {
  id: string;
  title: string;
  meta: string;
  classes?: string;
  status?: string;
  onOpen: () => void;
  onMap?: (() => void) | null;
  ledgerIndex?: number;
}

export function rowItem(r: RowSpec, verify: Verify): HTMLLIElement {
  const open = el('button', { type: 'button', class: 'row-open', 'aria-label': `Details of ${r.title}` },
    el('span', { class: 'row-title' }, r.title),
    r.status ? el('span', { class: `status status-${r.status}` }, r.status) : null,
    el('span', { class: 'row-meta' }, r.meta));
  open.addEventListener('click', r.onOpen);
  const map = r.onMap ? button('Map', r.onMap, { class: 'secondary show-on-map', 'aria-label': `Show ${r.title} on the map` }) : null;
  return el('li', { class: `record ${r.classes ?? ''}`.trim(), 'data-id': r.id }, open,
    el('div', { class: 'row-actions' }, map, verifyButton(r.ledgerIndex, verify)));
}

/** Fills `list` with rows (at most `max`), or says there is none. */
export function showRows(list: HTMLElement, rows: RowSpec[], verify: Verify, empty: string, max = 200): void {
  const items: Node[] = rows.slice(0, max).map((r) => rowItem(r, verify));
  if (!rows.length) items.push(el('li', { class: 'empty' }, empty));
  if (rows.length > max) items.push(el('li', { class: 'empty' }, `${rows.length - max} more not shown: narrow the filters.`));
  list.replaceChildren(...items);
}

/** A definition list of (label, value) pairs; empty values are left out. */
export function fields(pairs: [string, string | Node | null | undefined][]): HTMLDListElement {
  const dl = el('dl', { class: 'fields' });
  for (const [k, v] of pairs) {
    if (v === null || v === undefined || v === '') continue;
    dl.append(el('dt', {}, k), el('dd', {}, v));
  }
  return dl;
}

export const time = (v: string): string => (v ? formatTime(v) : '—');

/** A titled section of a detail pane: its heading, then items or "none". */
export function section(title: string, items: Node[], none = 'none'): HTMLElement {
  return el('section', { class: 'detail-section' }, el('h3', {}, title),
    items.length ? el('ul', { class: 'detail-list' }, ...items.map((n) => el('li', {}, n))) : el('p', { class: 'info' }, none));
}

/** The detail pane's head: a title, and a "Close" that empties it and returns focus. */
export function detailHead(title: string, close: () => void, ...actions: (Node | null)[]): HTMLElement {
  return el('div', { class: 'detail-head' }, el('h3', { class: 'detail-title', tabindex: '-1' }, title),
    ...actions, button('Close', close, { class: 'secondary detail-close' }));
}

/** Focuses the detail's title so keyboard users land where the details are. */
export function focusDetail(detail: HTMLElement): void {
  detail.querySelector<HTMLElement>('.detail-title')?.focus();
}
