import { zoneFormatter } from '../domain/zone-formatter.js';

/** `2026-11-23 09:05` in the team's time zone, so audit lines read the same for everyone in the channel. */
export function formatTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = zoneFormatter('minute', timeZone).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** A link that opens a thread in any Slack client (Slack redirects archive links to the workspace). */
export function threadUrl(thread: { channel: string; ts: string }): string {
  return `https://slack.com/archives/${thread.channel}/p${thread.ts.replace('.', '')}`;
}

/** `<@U…>` for people, the job name for Sherpa itself (`system:judge` → `Sherpa (judge)`). */
export function actorLabel(actor: string): string {
  if (/^[UW][A-Z0-9]+$/.test(actor)) return `<@${actor}>`;
  if (actor.startsWith('system:')) return `Sherpa (${actor.slice('system:'.length)})`;
  return actor;
}
