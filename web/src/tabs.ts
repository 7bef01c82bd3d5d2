// tabs.ts: the side column's panes as tabs (WAI-ARIA tabs pattern): one pane shown at a time,
// Left/Right/Home/End move between tabs, each tab names the pane it controls (aria-controls).

export class Tabs {
  private readonly tabs: HTMLButtonElement[];

  constructor(list: HTMLElement) {
    this.tabs = [...list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    for (const [i, tab] of this.tabs.entries()) {
      tab.tabIndex = tab.getAttribute('aria-selected') === 'true' ? 0 : -1;
      tab.addEventListener('click', () => this.select(tab.getAttribute('aria-controls') ?? ''));
      tab.addEventListener('keydown', (e) => {
        const n = this.tabs.length;
        const to = e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
        const next = this.tabs[to];
        if (!next) return;
        e.preventDefault();
        this.select(next.getAttribute('aria-controls') ?? '');
        next.focus();
      });
    }
  }

  /** Shows the pane with this id (and selects its tab). */
  select(pane: string): void {
    for (const tab of this.tabs) {
      const id = tab.getAttribute('aria-controls') ?? '';
      const on = id === pane;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(id);
      if (panel) panel.hidden = !on;
    }
  }
}
