// event_log.ts: the newest events of the stream, one line each, newest first.
import { byId, el, formatTime } from './dom';
import type { DomainEvent } from './events';

const kShown = 200;

function summary(e: DomainEvent): string {
  switch (e.type) {
    case 'operation.conflict':
      return `${e.party ?? '?'} ${e.operation ?? ''} conflicts with your ${e.your_operation ?? ''}`;
    case 'operation.ended':
      return `operation ${e.operation ?? ''} of ${e.party ?? '?'} ended`;
    case 'hotline.message':
      return `${e.channel ?? ''} #${e.channel_seq ?? ''} ${e.priority ?? ''} from ${e.sender ?? ''}: ${e.subject ?? ''}`;
    case 'hotline.delivered': {
      const run = e.through_seq !== undefined && e.through_seq !== e.channel_seq ? `..${e.through_seq}` : '';
      return `${e.channel ?? ''} #${e.channel_seq ?? ''}${run} delivered to ${e.party ?? ''}`;
    }
    case 'hotline.acknowledged':
      return `${e.channel ?? ''} #${e.channel_seq ?? ''} by ${e.party ?? ''}`;
    case 'hotline.overdue':
      return `${e.channel ?? ''} #${e.channel_seq ?? ''} overdue`;
    case 'party.revoked':
      return `party ${e.party ?? ''} revoked`;
    default:
      return e.encounter !== undefined ? `encounter ${e.encounter}` : (e.channel ?? '');
  }
}

export class EventLog {
  private readonly list = byId('event-log', HTMLOListElement);

  add(e: DomainEvent): void {
    this.list.prepend(
      el(
        'li',
        { 'data-type': e.type },
        el('span', { class: 'seq' }, `#${e.seq}`),
        el('span', { class: 'type' }, e.type),
        el('time', { datetime: e.time }, formatTime(e.time)),
        el('span', { class: 'what' }, summary(e)),
      ),
    );
    while (this.list.children.length > kShown) this.list.lastElementChild?.remove();
  }

  clear(): void {
    this.list.replaceChildren();
  }
}
