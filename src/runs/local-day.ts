import { zoneFormatter } from '../domain/zone-formatter.js';

/** The UTC instant at which the calendar day containing `now` began in `timeZone` (DST-safe). */
export function startOfLocalDay(now: Date, timeZone: string): Date {
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
