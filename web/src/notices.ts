// notices.ts: the page's error list. Every failed API call ends here with the server's message
// verbatim (describeError), so the user sees exactly what was refused and why.
import { describeError } from './api/client';
import { byId, el } from './dom';

const kMaxNotices = 5;

/** Shows `what failed: <server message>` until the user dismisses it; returns its removal. */
export function showError(what: string, error: unknown): () => void {
  const list = byId('notices', HTMLElement);
  const close = el('button', { type: 'button', class: 'link', 'aria-label': 'Dismiss' }, '×');
  const item = el(
    'div',
    { class: 'notice', role: 'alert' },
    el('strong', {}, `${what}: `),
    el('span', { class: 'notice-text' }, describeError(error)),
    close,
  );
  close.addEventListener('click', () => item.remove());
  list.prepend(item);
  while (list.children.length > kMaxNotices) list.lastElementChild?.remove();
  return () => item.remove();
}

export function clearNotices(): void {
  byId('notices', HTMLElement).replaceChildren();
}
