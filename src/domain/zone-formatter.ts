/**
 * Date formatters for the team's time zone, built once per zone and shape: building an Intl.DateTimeFormat costs
 * far more than using one, and digests, App Home and audit lines format a time per line (issue 14, item 3).
 */
const SHAPES = {
  /** `2026-11-23` (en-CA writes ISO order). */
  day: { locale: 'en-CA', options: { year: 'numeric', month: '2-digit', day: '2-digit' } },
  /** `2026-11-23, 09:05`, read back by parts. */
  minute: {
    locale: 'en-CA',
    options: {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    },
  },
  /** `Sat, 5 Dec 2026` (a digest's title). */
  weekdayDate: {
    locale: 'en-GB',
    options: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
  },
  /** Every field down to the second, read back by parts as numbers. */
  second: {
    locale: 'en-US',
    options: {
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    },
  },
} satisfies Record<string, { locale: string; options: Intl.DateTimeFormatOptions }>;

export type ZoneFormatterShape = keyof typeof SHAPES;

const formatters = new Map<string, Intl.DateTimeFormat>();

export function zoneFormatter(shape: ZoneFormatterShape, timeZone: string): Intl.DateTimeFormat {
  const key = `${shape}|${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(SHAPES[shape].locale, { timeZone, ...SHAPES[shape].options });
    formatters.set(key, formatter);
  }
  return formatter;
}
