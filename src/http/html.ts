/** Server-side HTML: every interpolated value is escaped unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]!);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup only (e.g. JSON for a script tag after `jsonForScript`). */
export function raw(s: string): Html {
  return new Html(s);
}

/** JSON safe to embed in a <script type="application/json"> element. */
export function jsonForScript(data: unknown): Html {
  return raw(JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'));
}

const nf = new Intl.NumberFormat('fr-FR');
export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || Number.isNaN(n) ? '—' : nf.format(Math.round(n));
}
const pf = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });
export function fmtPct(share: number | null | undefined): string {
  return share === null || share === undefined || Number.isNaN(share) ? '—' : pf.format(share);
}
/**
 * The one date formatter of the platform: French, Europe/Paris. A calendar date (`YYYY-MM-DD`, e.g. a
 * data date) is shown as that day whatever the server's zone; an instant (Date, ISO timestamp) is
 * converted to Paris time. `style` picks day only, day + time, or month + year.
 */
type DateStyle = 'jour' | 'jour-heure' | 'mois';
const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_FORMATS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  jour: { day: 'numeric', month: 'long', year: 'numeric' },
  'jour-heure': { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' },
  mois: { month: 'long', year: 'numeric' },
};
const dateFormatters = new Map<string, Intl.DateTimeFormat>();
export function formatDate(d: Date | string | number | null | undefined, style: DateStyle = 'jour'): string {
  if (d === null || d === undefined || d === '') return '—';
  const calendar = typeof d === 'string' && CALENDAR_DAY.test(d);
  const date = calendar ? new Date(`${d}T12:00:00Z`) : typeof d === 'string' || typeof d === 'number' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return typeof d === 'string' ? d : '—';
  // A calendar day has no time of day: never show one, and read it in UTC so no zone shifts it.
  const effective: DateStyle = calendar && style === 'jour-heure' ? 'jour' : style;
  const timeZone = calendar ? 'UTC' : 'Europe/Paris';
  const key = `${effective}|${timeZone}`;
  let f = dateFormatters.get(key);
  if (!f) dateFormatters.set(key, (f = new Intl.DateTimeFormat('fr-FR', { ...DATE_FORMATS[effective], timeZone })));
  return f.format(date).replace(/^1 /, '1er ');
}
/** Day and time in Paris (what admin tables and run reports show). */
export function fmtDate(d: Date | string | null | undefined): string {
  return formatDate(d, 'jour-heure');
}
/** Day only (data dates, import dates shown to the public). */
export function fmtDay(d: Date | string | null | undefined): string {
  return formatDate(d, 'jour');
}

const PARIS_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
/** The wall-clock time in Paris at `d` (month 1–12), whatever the server's time zone. */
export function parisClock(d: Date): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = PARIS_CLOCK.formatToParts(d);
  const n = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((x) => x.type === t)?.value);
  return { year: n('year'), month: n('month'), day: n('day'), hour: n('hour'), minute: n('minute') };
}
