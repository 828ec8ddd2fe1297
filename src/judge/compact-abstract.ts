/**
 * An abstract as the judge needs it, in fewer tokens (issue 14, item 5): whitespace collapsed, sentences that
 * only point at code or a project page (a URL, "github") dropped, and a long abstract cut at the last sentence
 * end before `max` characters. The opening sentences state the problem and the contribution, which is what
 * relevance, novelty and feasibility are judged on; the cut tail is mostly further results. When no sentence
 * ends late enough, the text is cut at a word and marked with an ellipsis.
 */
const SENTENCE = /\S.*?(?:[.!?]+(?=\s|$)|$)/g;
const POINTER = /https?:\/\/|www\.|github\.com|\bgithub\b/i;
/** A cut at a sentence end may give up at most this share of `max`; past it, a word cut keeps more text. */
const MIN_KEPT_SHARE = 0.7;

export function compactAbstract(abstract: string, max: number): string {
  const clean = abstract.replace(/\s+/g, ' ').trim();
  const sentences = (clean.match(SENTENCE) ?? []).map((s) => s.trim()).filter(Boolean);
  const kept = sentences.filter((sentence) => !POINTER.test(sentence));
  const text = (kept.length > 0 ? kept : sentences).join(' ');
  if (text.length <= max) return text;
  let cut = '';
  for (const sentence of kept) {
    const next = cut ? `${cut} ${sentence}` : sentence;
    if (next.length > max) break;
    cut = next;
  }
  if (cut.length >= max * MIN_KEPT_SHARE) return cut;
  const words = text.slice(0, max - 1);
  return `${words.slice(0, Math.max(words.lastIndexOf(' '), 1)).trimEnd()}…`;
}
