/**
 * The strings Slack parses for mentions and links: a message's top-level `text` and every `text` of a
 * `mrkdwn` object, at any depth (blocks, fields, context elements, views). `plain_text` objects are shown
 * literally by Slack, so they are the one place the raw title may (and should) appear as typed.
 */
export function mrkdwnTexts(node: unknown, top = true): string[] {
  if (typeof node === 'string' && !top) return [];
  if (Array.isArray(node)) return node.flatMap((item) => mrkdwnTexts(item, false));
  if (!node || typeof node !== 'object') return [];
  const object = node as Record<string, unknown>;
  if (object.type === 'plain_text') return [];
  return Object.entries(object).flatMap(([key, value]) => {
    if (key === 'text' && typeof value === 'string') return top || object.type === 'mrkdwn' ? [value] : [];
    if (key === 'blocks' && typeof value === 'string') return mrkdwnTexts(JSON.parse(value), false);
    return mrkdwnTexts(value, false);
  });
}

/** Whether any mrkdwn text of a Slack call would render a live `<!channel>` or a link to evil.example. */
export function hasLiveHostileMarkup(node: unknown): boolean {
  return mrkdwnTexts(node).some((text) => /<!channel>|<https:\/\/evil/.test(text));
}
