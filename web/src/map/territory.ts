// map/territory.ts: the host's view. When the signed-in party has an agreed territory, GET
// /v1/territory/operations lists every other party's live operation that meets it, as its
// overlap with the territory only (never whole, no OVN); the map draws those overlaps. A party
// with no territory gets 404 there: the map then draws nothing and says nothing.
import type { Feature, Polygon } from 'geojson';
import { ApiError, type Schemas } from '../api/client';
import { byId } from '../dom';
import type { Session } from '../session';
import type { ConsoleMap } from './console_map';
import { collection, overlapFeature } from './geometry';

type Reference = Schemas['OperationReference'];

export class TerritoryView {
  private readonly legend = byId('territory-legend', HTMLElement);
  private readonly count = byId('territory-count', HTMLElement);

  constructor(
    private readonly session: Session,
    private readonly map: ConsoleMap,
  ) {}

  /** Reloads the operations meeting the caller's territory; none when it has no territory. */
  async refresh(): Promise<void> {
    const found: Reference[] = [];
    let territory = '';
    let cursor: string | undefined;
    try {
      do {
        const page = await this.session.api.call('get', '/v1/territory/operations', { query: { limit: 1000, cursor } });
        territory = page.territory ?? territory;
        found.push(...(page.operations ?? []));
        cursor = page.next_cursor;
      } while (cursor);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        this.draw([], '');
        return;
      }
      throw e;
    }
    this.draw(found, territory);
  }

  private draw(operations: Reference[], territory: string): void {
    const features: Feature<Polygon>[] = [];
    for (const op of operations) {
      const f = overlapFeature(op.overlap, { layer: 'territory-op', id: op.id ?? '', party: op.party ?? '', state: op.state ?? '', territory });
      if (f) features.push(f);
    }
    this.map.setData('territory', collection(features));
    this.legend.hidden = !territory;
    this.legend.dataset.operations = String(features.length);
    this.count.textContent = `${features.length} other ${features.length === 1 ? 'operation' : 'operations'} in your territory`;
  }
}
