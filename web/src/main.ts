// main.ts: the console's wiring. Signed out, it shows the sign-in form; signed in, it builds the
// map, the hotline and the event log, loads each from the API, and lets the event stream say
// what to load again. Nothing here decides what a party may see: every pane shows what the
// API answered for this party's token, and every refusal's message as the server wrote it.
import './style.css';
import { byId } from './dom';
import { EncountersPane } from './encounters_pane';
import { EventLog } from './event_log';
import { EventStream, type DomainEvent, type StreamState } from './events';
import { FilingPane } from './filing/filing_pane';
import { Hotline } from './hotline';
import { LedgerPane } from './ledger/ledger_pane';
import { loadCountries, offlineStyle, type Theme } from './map/basemap';
import { ConsoleMap } from './map/console_map';
import { attachHover } from './map/hover';
import { isGroup } from './map/layers';
import { Places } from './map/places';
import { TerritoryView } from './map/territory';
import { Traffic } from './map/traffic';
import { Volumes } from './map/volumes';
import { showError } from './notices';
import { startRecords } from './records/records';
import { KeyControl } from './signing/key_control';
import { forgetToken, signIn, storedToken, type Session } from './session';
import { Tabs } from './tabs';
import { applyTheme, initialTheme } from './theme';
import { attachTimeFilter } from './time_filter';
import { describeError } from './api/client';

const kStyleKey = 'deconflict.styleUrl';
const themeToggle = byId('theme-toggle', HTMLButtonElement);
let theme: Theme = initialTheme();
let onThemeChange: (t: Theme) => void = () => {};
applyTheme(theme, themeToggle);
themeToggle.addEventListener('click', () => {
  theme = theme === 'dark' ? 'light' : 'dark';
  applyTheme(theme, themeToggle);
  onThemeChange(theme);
});

/** Runs `fn` once, `ms` after the last of a burst of calls (replayed events come in bursts). */
function debounced(fn: () => Promise<void>, what: string, ms = 200): () => void {
  let timer: number | undefined;
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn().catch((e: unknown) => showError(what, e)), ms);
  };
}

function showStream(s: StreamState): void {
  const chip = byId('connection', HTMLElement);
  const banner = byId('banner', HTMLElement);
  chip.hidden = false;
  chip.dataset.state = s.kind;
  banner.hidden = s.kind === 'open' || s.kind === 'connecting';
  switch (s.kind) {
    case 'connecting':
      chip.textContent = 'events: connecting…';
      break;
    case 'open':
      chip.textContent = 'events: live';
      break;
    case 'lost':
      chip.textContent = 'events: reconnecting';
      banner.textContent =
        `Event stream lost (close ${s.code}${s.reason ? `: ${s.reason}` : ''}). Reconnecting in ` +
        `${Math.ceil(s.retryInMs / 1000)} s; the events missed meanwhile will follow.`;
      break;
    case 'refused':
      chip.textContent = 'events: closed';
      banner.textContent = `The server closed the event stream (${s.code}: ${s.reason}). Sign in again.`;
      break;
  }
}

async function baseStyle(): Promise<string | ReturnType<typeof offlineStyle>> {
  const url = localStorage.getItem(kStyleKey);
  return url ? url : offlineStyle(await loadCountries(), theme);
}

async function start(session: Session): Promise<void> {
  byId('signin', HTMLElement).hidden = true;
  byId('console', HTMLElement).hidden = false;
  const who = byId('whoami', HTMLElement);
  who.hidden = false;
  who.textContent = `${session.party} · ${session.role}`;
  // The sign-in form is gone: keyboard users continue from who they are (then the skip links).
  who.focus();
  const signout = byId('signout', HTMLButtonElement);
  signout.hidden = false;

  const map = new ConsoleMap(byId('map', HTMLElement), await baseStyle());
  map.map.on('error', (e) => showError('Map', e.error));
  onThemeChange = (t) => map.setTheme(t);
  attachTimeFilter((ms) => map.setTime(ms));
  for (const box of document.querySelectorAll<HTMLInputElement>('input[data-group]')) {
    const group = box.dataset.group;
    if (!isGroup(group)) continue;
    box.addEventListener('change', () => map.setGroupVisible(group, box.checked));
  }
  const styleUrl = byId('style-url', HTMLInputElement);
  styleUrl.value = localStorage.getItem(kStyleKey) ?? '';
  byId('style-form', HTMLFormElement).addEventListener('submit', (e) => {
    e.preventDefault();
    if (styleUrl.value) localStorage.setItem(kStyleKey, styleUrl.value);
    else localStorage.removeItem(kStyleKey);
    baseStyle().then((s) => map.setStyle(s), (err: unknown) => showError('Base map', err));
  });

  const volumes = new Volumes(session, map);
  const places = new Places(session, map);
  const traffic = new Traffic(session, map);
  attachHover(map, (p) => (p.layer === 'track' && typeof p.key === 'string' ? (traffic.trackDetails(p.key) ?? p) : p));
  const territory = new TerritoryView(session, map);
  const log = new EventLog();
  const tabs = new Tabs(document.querySelector<HTMLElement>('.tabs') ?? document.body);
  const ledger = new LedgerPane(session);
  const verify = (index: number): void => {
    tabs.select('ledger');
    void ledger.verify(index);
  };
  const key = new KeyControl();
  const hotline = new Hotline(session, () => key.current(), verify);
  key.onChange(() => hotline.keyChanged());
  const records = startRecords(session, map, places, tabs, verify, key);
  new FilingPane(session, map, volumes, verify);
  const encounters = new EncountersPane(session, () => traffic.refreshEncounters(), (e) => traffic.focus(e));
  traffic.onEncounters = (open) => encounters.show(open);
  const queryButton = byId('query-view', HTMLButtonElement);
  queryButton.addEventListener('click', () => {
    queryButton.disabled = true;
    volumes
      .queryView(map.map.getBounds())
      .then((n) => (queryButton.textContent = `Query this view (${n} found)`))
      .catch((e: unknown) => showError('Query', e))
      .finally(() => (queryButton.disabled = false));
  });

  const initial: [string, Promise<void>][] = [
    ['Operations and conflicts', volumes.refresh()],
    ['Sites and movements', places.refreshPlaces()],
    ['Incidents', places.refreshIncidents()],
    ['Encounters', traffic.refreshEncounters()],
    ['Hotline', hotline.refreshChannels()],
    ['Ledger', ledger.refresh()],
    ['Host\'s view', territory.refresh()],
    ...records.initial,
  ];
  for (const [what, p] of initial) p.catch((e: unknown) => showError(what, e));
  void Promise.allSettled(initial.map(([, p]) => p)).then(() => map.fitToOverlays());
  traffic.start();

  const refreshVolumes = debounced(() => volumes.refresh(), 'Operations and conflicts');
  const refreshEncounters = debounced(() => traffic.refreshEncounters(), 'Encounters');
  const refreshTerritory = debounced(() => territory.refresh(), 'Host\'s view');
  const stream = new EventStream(
    session.token,
    session.party,
    (e: DomainEvent) => {
      log.add(e);
      hotline.onEvent(e);
      records.onEvent(e);
      if (e.type.startsWith('operation.')) refreshVolumes();
      const type: string = e.type;
      if (type.startsWith('agreement.') || type.startsWith('operation.')) refreshTerritory();
      if (e.type.startsWith('encounter.')) refreshEncounters();
      if (e.type === 'party.revoked' && e.party === session.party) {
        showError('Signed out', new Error('the server revoked this party'));
      }
    },
    showStream,
  );
  stream.start();

  signout.addEventListener('click', () => {
    stream.stop();
    stream.forget();
    traffic.stop();
    encounters.dispose();
    hotline.dispose();
    forgetToken();
    location.reload();
  });
}

function run(session: Session): void {
  start(session).catch((e: unknown) => showError('Console', e));
}

function showSignIn(): void {
  byId('signin', HTMLElement).hidden = false;
  byId('console', HTMLElement).hidden = true;
  const form = byId('signin-form', HTMLFormElement);
  const input = byId('token', HTMLInputElement);
  const error = byId('signin-error', HTMLElement);
  input.focus();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    signIn(input.value.trim()).then(
      (session) => run(session),
      (err: unknown) => (error.textContent = describeError(err)),
    );
  });
}

const token = storedToken();
if (token) {
  signIn(token).then(run, (e: unknown) => {
    forgetToken();
    showSignIn();
    byId('signin-error', HTMLElement).textContent = describeError(e);
  });
} else {
  showSignIn();
}
