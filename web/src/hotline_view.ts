// hotline_view.ts: one hotline message as a list item: priority, subject, sender and time, the
// body, each recipient's delivery and acknowledgement, and a countdown to the deadline while
// an acknowledgement is still owed. The order puts what the caller owes first.
import type { Schemas } from './api/client';
import { el, formatDuration, formatTime } from './dom';

export type Message = Schemas['Message'];

export function needsMyAck(m: Message, me: string): boolean {
  return m.sender !== me && m.recipients.includes(me) && !m.acknowledged.some((a) => a.party === me);
}

/** Recipients who have not acknowledged a message the caller sent. */
export function awaiting(m: Message, me: string): string[] {
  if (m.sender !== me) return [];
  return m.recipients.filter((r) => r !== me && !m.acknowledged.some((a) => a.party === r));
}

/** Owed by me first, then mine awaiting others (each by deadline), then the rest, newest first. */
export function ordered(messages: Message[], me: string): Message[] {
  const rank = (m: Message): number => (needsMyAck(m, me) ? 0 : awaiting(m, me).length ? 1 : 2);
  return [...messages].sort((a, b) => {
    const r = rank(a) - rank(b);
    if (r !== 0) return r;
    if (rank(a) < 2) return Date.parse(a.deadline) - Date.parse(b.deadline);
    return b.seq - a.seq;
  });
}

/** "due in 1:23" or "overdue by 0:04", from now to the deadline. */
export function countdownText(deadline: string, nowMs: number): string {
  const left = Math.round((Date.parse(deadline) - nowMs) / 1000);
  return left >= 0 ? `due in ${formatDuration(left)}` : `overdue by ${formatDuration(-left)}`;
}

function recipientLine(m: Message, party: string): string {
  const ack = m.acknowledged.find((a) => a.party === party);
  if (ack) return `${party}: acknowledged ${formatTime(ack.at)}${ack.signed ? ' (signed)' : ''}`;
  const delivered = m.delivered.find((d) => d.party === party);
  if (delivered) return `${party}: delivered ${formatTime(delivered.at)}, not acknowledged`;
  return `${party}: not delivered`;
}

/** What a message item may do besides showing: acknowledge (signed or not), verify. */
export interface MessageActions {
  onAck: (m: Message) => void;
  ackLabel: string;
  onVerify: (index: number) => void;
  error?: string;
}

export function messageItem(m: Message, me: string, actions: MessageActions): HTMLLIElement {
  const owed = needsMyAck(m, me);
  const waiting = awaiting(m, me);
  const pending = owed || waiting.length > 0;
  const countdown = pending
    ? el('span', { class: 'countdown', 'data-deadline': m.deadline }, countdownText(m.deadline, Date.now()))
    : null;
  const ackButton = owed ? el('button', { type: 'button', class: 'ack' }, actions.ackLabel) : null;
  ackButton?.addEventListener('click', () => {
    ackButton.disabled = true;
    actions.onAck(m);
  });
  const index = m.ledger_index;
  const verify = index === undefined ? null : el('button', { type: 'button', class: 'secondary verify-item', 'data-index': String(index) }, `verify #${index}`);
  verify?.addEventListener('click', () => actions.onVerify(index ?? 0));
  const mine = m.acknowledged.find((a) => a.party === me);
  const mineText = mine
    ? `You acknowledged ${formatTime(mine.at)}${mine.signed ? ` (signed, key ${mine.key_id ?? '?'})` : ' (unsigned)'}`
    : 'You have not acknowledged';
  const status =
    m.sender === me
      ? el('ul', { class: 'recipients' }, ...m.recipients.filter((r) => r !== me).map((r) => el('li', {}, recipientLine(m, r))))
      : el('div', { class: 'recipients', 'data-signed': String(mine?.signed ?? false) }, mineText);
  const classes = ['msg', `prio-${m.priority}`, owed ? 'owed' : '', waiting.length ? 'awaiting' : ''];
  return el(
    'li',
    { class: classes.filter(Boolean).join(' '), 'data-seq': String(m.seq), 'data-id': m.id },
    el(
      'div',
      { class: 'msg-head' },
      el('span', { class: 'prio' }, m.priority.toUpperCase()),
      el('span', { class: 'subject' }, m.subject),
      countdown,
    ),
    el('div', { class: 'msg-meta' }, `#${m.seq} from ${m.sender} · sent ${formatTime(m.sent_at)} · deadline ${formatTime(m.deadline)}`),
    m.escalates ? el('div', { class: 'msg-meta' }, `escalates ${m.escalates}`) : null,
    el('div', { class: 'msg-body' }, m.body),
    status,
    el('div', { class: 'row msg-actions' }, ackButton, verify),
    actions.error ? el('p', { class: 'error', role: 'alert' }, actions.error) : null,
  );
}
