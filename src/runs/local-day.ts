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

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one (issue 14, item 3). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function localParts(date: Date, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(date);
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
