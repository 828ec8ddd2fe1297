import { zoneFormatter } from '../domain/zone-formatter.js';

/**
 * The last days found per zone, as [a day's start, the next day's start) in ms: budgets, the digest and Evolve
 * ask for today's start (and the digest for the month's first day) again and again, and each fresh answer costs
 * three time-zone conversions (about 0.3 ms; issue 14). A few days a zone, so two callers do not evict each other.
 */
const knownDays = new Map<string, { start: number; end: number }[]>();
const DAYS_KEPT = 4;

/** The UTC instant at which the calendar day containing `now` began in `timeZone` (DST-safe). */
export function startOfLocalDay(now: Date, timeZone: string): Date {
  const at = now.getTime();
  const days = knownDays.get(timeZone) ?? [];
  const known = days.find((day) => at >= day.start && at < day.end);
  if (known) return new Date(known.start);
  const start = findStartOfLocalDay(now, timeZone).getTime();
  // A day is 23 to 25 hours long: 36 hours after its start is always in the next one.
  const end = findStartOfLocalDay(new Date(start + 36 * 3_600_000), timeZone).getTime();
  if (at >= start && at < end) knownDays.set(timeZone, [{ start, end }, ...days].slice(0, DAYS_KEPT));
  return new Date(start);
}

function findStartOfLocalDay(now: Date, timeZone: string): Date {
  const parts = localParts(now, timeZone);
  const wallMidnight = Date.UTC(parts.year, parts.month - 1, parts.day);
  // Offset of the zone at a given instant: its wall clock read as UTC, minus the instant.
  const offsetAt = (instant: number) => {
    const p = localParts(new Date(instant), timeZone);
    return (
      Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000
    );
  };
  let guess = wallMidnight - offsetAt(wallMidnight);
  // A second pass settles days on which the offset changes between midnight and now.
  guess = wallMidnight - offsetAt(guess);
  return new Date(guess);
}

function localParts(date: Date, timeZone: string) {
  const parts = zoneFormatter('second', timeZone).formatToParts(date);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}
