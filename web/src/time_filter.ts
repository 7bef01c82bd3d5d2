// time_filter.ts: the time slider over the next 30 days, in 15-minute steps. Off, the map shows
// every volume; on, only those whose window [start, end) holds the chosen time.
import { byId, formatTime } from './dom';

const kStepMs = 15 * 60 * 1000;
const kSteps = (30 * 24 * 3600 * 1000) / kStepMs;

export function attachTimeFilter(onChange: (ms: number | null) => void): void {
  const enabled = byId('time-enabled', HTMLInputElement);
  const slider = byId('time-slider', HTMLInputElement);
  const label = byId('time-label', HTMLOutputElement);
  slider.min = '0';
  slider.max = String(kSteps);
  slider.step = '1';
  const update = (): void => {
    const base = Math.floor(Date.now() / kStepMs) * kStepMs;
    const ms = base + Number(slider.value) * kStepMs;
    slider.disabled = !enabled.checked;
    label.value = enabled.checked ? formatTime(new Date(ms).toISOString()) : 'all times';
    slider.setAttribute('aria-valuetext', label.value);
    onChange(enabled.checked ? ms : null);
  };
  enabled.addEventListener('change', update);
  slider.addEventListener('input', update);
  update();
}
