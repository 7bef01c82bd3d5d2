// theme.ts: dark (operations room) and light (daylight) themes. The choice is a preference,
// not a secret, so it lives in localStorage; the first visit follows the system setting.
import type { Theme } from './map/basemap';

const kThemeKey = 'deconflict.theme';

export function initialTheme(): Theme {
  const stored = localStorage.getItem(kThemeKey);
  if (stored === 'dark' || stored === 'light') return stored;
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/** Applies `theme` to the page and the toggle button; remembers it. */
export function applyTheme(theme: Theme, toggle: HTMLButtonElement): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(kThemeKey, theme);
  toggle.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
  toggle.setAttribute('aria-pressed', String(theme === 'dark'));
  toggle.title = 'Switch between the dark and the light theme';
}
