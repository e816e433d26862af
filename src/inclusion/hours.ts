import opening_hours from 'opening_hours';
import { parisClock } from '../http/html.ts';

/**
 * Opening hours as OpenStreetMap writes them (`Mo-Fr 09:00-12:00,14:00-17:00; PH off`), read by the
 * `opening_hours` library: French public holidays, week and date rules included. A value it cannot read,
 * or one that says « unknown » at that time, never counts as open.
 */
const FRANCE = { lat: 46.6, lon: 2.4, address: { country_code: 'fr', state: '' } };
const parsed = new Map<string, opening_hours | null>();

function read(horaires: string): opening_hours | null {
  let oh = parsed.get(horaires);
  if (oh === undefined) {
    try {
      oh = new opening_hours(horaires, FRANCE);
    } catch {
      oh = null;
    }
    if (parsed.size > 20_000) parsed.clear();
    parsed.set(horaires, oh);
  }
  return oh;
}

/**
 * The library reads a Date's local fields (getHours…): the server may run in UTC, the places are in
 * France. This Date's local fields are the wall-clock time in Paris at `at`.
 */
function parisWallClock(at: Date): Date {
  const p = parisClock(at);
  return new Date(p.year, p.month - 1, p.day, p.hour, p.minute);
}

export type OpeningFilter = 'maintenant' | 'samedi';

/** Whether a place with these hours is open at `at` (« maintenant »), or at some time on the Saturday to come. */
export function isOpen(horaires: string, filter: OpeningFilter, at: Date): boolean {
  const oh = read(horaires);
  if (!oh) return false;
  const wall = parisWallClock(at);
  if (filter === 'maintenant') return oh.getState(wall);
  const saturday = new Date(wall.getFullYear(), wall.getMonth(), wall.getDate() + ((6 - wall.getDay() + 7) % 7));
  const sunday = new Date(saturday.getFullYear(), saturday.getMonth(), saturday.getDate() + 1);
  return oh.getOpenIntervals(saturday, sunday).some(([, , unknown]) => !unknown);
}
