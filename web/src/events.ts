// events.ts: the one WebSocket to GET /v1/events. It authenticates with the subprotocol
// `bearer.<token>` (browsers cannot set headers; api/socket_auth.h), remembers the last seq it
// handed on (in sessionStorage, per party) and, whenever the socket closes, reconnects with
// ?after=<that seq>: the server sends the stored events after it, then live ones, so nothing is
// lost or repeated (a repeated seq is dropped here all the same). Close 1013 (slow consumer)
// reconnects at once; 1008 (unauthorized, party revoked) does not reconnect.
import type { Schemas } from './api/client';

export type DomainEvent = Schemas['Event'];

export type StreamState =
  | { kind: 'connecting'; after: number }
  | { kind: 'open'; after: number }
  | { kind: 'lost'; code: number; reason: string; retryInMs: number }
  | { kind: 'refused'; code: number; reason: string };

const kMaxBackoffMs = 15000;

function isEvent(v: unknown): v is DomainEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.seq === 'number' && typeof e.type === 'string' && typeof e.time === 'string';
}

export class EventStream {
  private socket: WebSocket | null = null;
  private lastSeq: number;
  private failures = 0;
  private retryTimer: number | undefined;
  private stopped = false;
  private readonly seqKey: string;

  constructor(
    private readonly token: string,
    party: string,
    private readonly onEvent: (e: DomainEvent) => void,
    private readonly onState: (s: StreamState) => void,
  ) {
    this.seqKey = `deconflict.events.after.${party}`;
    this.lastSeq = Number(sessionStorage.getItem(this.seqKey) ?? '0') || 0;
  }

  /** The seq of the last event handed on (0 before any). */
  get after(): number {
    return this.lastSeq;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'signed out');
    this.socket = null;
  }

  /** Forgets the stored seq (sign-out): the next session starts from the first event. */
  forget(): void {
    sessionStorage.removeItem(this.seqKey);
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/v1/events?after=${this.lastSeq}`;
    this.onState({ kind: 'connecting', after: this.lastSeq });
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, [`bearer.${this.token}`]);
    } catch (e) {
      this.onState({ kind: 'refused', code: 0, reason: e instanceof Error ? e.message : String(e) });
      return;
    }
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.failures = 0;
      this.onState({ kind: 'open', after: this.lastSeq });
    });
    socket.addEventListener('message', (m: MessageEvent<unknown>) => {
      if (typeof m.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(m.data);
      } catch {
        return;
      }
      if (!isEvent(parsed) || parsed.seq <= this.lastSeq) return;
      this.lastSeq = parsed.seq;
      sessionStorage.setItem(this.seqKey, String(this.lastSeq));
      this.onEvent(parsed);
    });
    socket.addEventListener('close', (c: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (c.code === 1008) {
        this.onState({ kind: 'refused', code: c.code, reason: c.reason });
        return;
      }
      const delay = c.code === 1013 ? 0 : Math.min(500 * 2 ** this.failures, kMaxBackoffMs);
      this.failures += 1;
      this.onState({ kind: 'lost', code: c.code, reason: c.reason, retryInMs: delay });
      this.retryTimer = window.setTimeout(() => this.connect(), delay);
    });
  }
}
