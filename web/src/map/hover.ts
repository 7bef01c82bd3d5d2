// map/hover.ts: what the pointer is over, in a popup: an operation's altitude band and time
// window, a conflict's other party and overlap, an encounter's closest approach, a track's
// state, an incident's status, a place's window. Built from text nodes only.
import { Popup, type MapGeoJSONFeature, type MapMouseEvent } from 'maplibre-gl';
import { el, formatDuration, formatTime } from '../dom';
import type { ConsoleMap } from './console_map';
import { kHoverLayers } from './layers';

type P = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const metres = (v: unknown): string =>
  typeof v === 'number' && Number.isFinite(v) ? `${Math.round(v)} m` : '?';

function band(p: P): string {
  return `Altitude ${metres(p.alt_lower_m)} – ${metres(p.alt_upper_m)} (W84)`;
}
function window_(p: P, from = 'time_start', to = 'time_end'): string {
  return `${formatTime(str(p[from]))} → ${formatTime(str(p[to]))}`;
}

/** The popup's lines for one feature: a title, then details. */
export function describe(p: P): string[] {
  switch (p.layer) {
    case 'operation':
      return [
        `${p.own ? 'Own operation' : `Operation of ${str(p.party)}`}${p.label ? `: ${str(p.label)}` : ''}`,
        str(p.id),
        band(p),
        window_(p),
        `${str(p.state)}${p.in_conflict ? ' · in conflict' : ''}${p.coarsened ? ' · coarsened (≈1 km, 15 min)' : ''}`,
      ];
    case 'conflict':
      return [
        `Conflict with ${str(p.other_party)}`,
        `own ${str(p.operation)}`,
        `theirs ${str(p.other_id)}`,
        `overlap: ${band(p)}`,
        window_(p),
      ];
    case 'territory-op':
      return [`Operation of ${str(p.party)} in your territory`, str(p.id), `overlap: ${band(p)}`, window_(p), str(p.state)];
    case 'missing':
      return [
        p.kind === 'protected' ? `Missing from your key: protected place ${str(p.ref)}` : `Missing from your key: ${str(p.party)} operation ${str(p.ref)}`,
        `ovn ${str(p.ovn)}`,
        `overlap: ${band(p)}`,
        window_(p),
      ];
    case 'encounter': {
      const tcpa = typeof p.tcpa_s === 'number' && Number.isFinite(p.tcpa_s) ? formatDuration(p.tcpa_s) : '?';
      return [
        `Encounter ${str(p.id)}: ${str(p.parties)}`,
        `closest approach in ${tcpa}, ${metres(p.dcpa_m)} apart, ${metres(p.vertical_m)} vertical`,
        p.unacknowledged ? 'not acknowledged by you' : 'acknowledged by you',
      ];
    }
    case 'track':
      return [
        `${p.callsign ? `${str(p.callsign)} · ` : ''}${str(p.party)} ${str(p.id)}`,
        `${metres(p.alt_m)} · ${metres(p.gs_mps)}/s · ${str(Math.round(Number(p.trk_deg)))}°`,
        formatTime(str(p.time)) + (p.in_territory ? ' · shown as inside your territory' : ''),
      ];
    case 'incident':
      return [
        `Incident ${str(p.id)}: ${str(p.status)}`,
        str(p.event_type),
        formatTime(str(p.occurred_at)),
        str(p.location_name),
      ];
    case 'site':
      return [`Site: ${str(p.name)} (${str(p.kind)})`, `buffer ${metres(p.buffer_m)}`, `notified by ${str(p.notifier)}`, window_(p, 'valid_from', 'valid_to')];
    case 'movement':
      return [`Movement: ${str(p.name)}`, `corridor ${metres(p.corridor_m)} either side`, `notified by ${str(p.notifier)}`, window_(p)];
    default:
      return [];
  }
}

/** Details of a feature that carries only a key (tracks: map/traffic.ts trackDetails). */
export type Details = (p: P) => P;

export function attachHover(consoleMap: ConsoleMap, details: Details = (p) => p): void {
  const map = consoleMap.map;
  const popup = new Popup({ closeButton: false, closeOnClick: false, maxWidth: '360px', className: 'hover-popup' });
  const onMove = (e: MapMouseEvent): void => {
    const layers = kHoverLayers.filter((id) => map.getLayer(id));
    const hits: MapGeoJSONFeature[] = layers.length ? map.queryRenderedFeatures(e.point, { layers }) : [];
    const sections = hits.slice(0, 4).map((f) => describe(details(f.properties))).filter((l) => l.length);
    map.getCanvas().style.cursor = sections.length ? 'pointer' : '';
    if (!sections.length) {
      popup.remove();
      return;
    }
    const body = el('div', { class: 'hover' });
    for (const lines of sections) {
      const [title, ...rest] = lines;
      body.append(el('div', { class: 'hover-item' }, el('strong', {}, title ?? ''), ...rest.map((l) => el('div', {}, l))));
    }
    popup.setLngLat(e.lngLat).setDOMContent(body).addTo(map);
  };
  map.on('mousemove', onMove);
  map.on('mouseout', () => popup.remove());
}
