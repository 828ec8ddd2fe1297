/** Small text helpers for Block Kit: Slack's escaping rules and its length limits (slack.md §4). */

/** Slack mrkdwn needs only these three escaped (https://docs.slack.dev/messaging/formatting-message-text). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut at a word boundary when one is near, and mark the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.8 ? cut.slice(0, space) : cut}…`;
}

/**
 * `<url|label>`, with the label escaped and `|` / `>` kept out of it. URLs come from scraped papers too: one
 * that is not http(s) is shown as text, and `<`, `>`, `|`, quotes and whitespace are percent-encoded so a URL
 * cannot close the link and open a mention of its own.
 */
export function link(url: string, label: string): string {
  const safeLabel = escapeMrkdwn(label).replace(/\|/g, '¦');
  if (!/^https?:\/\/[^\s]/i.test(url)) return safeLabel;
  const safeUrl = url.replace(
    /[<>|"\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `<${safeUrl}|${safeLabel}>`;
}

/** Limits from @slack/types and the Block Kit reference. */
export const LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  privateMetadata: 3000,
  blocksPerMessage: 50,
  /** Fallback `text` shown in notifications; Slack advises staying under about 4,000. */
  messageText: 3000,
} as const;
