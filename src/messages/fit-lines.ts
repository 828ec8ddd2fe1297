/**
 * Join whole lines up to a character budget (a section's 3000), so a cut never lands inside a `<url|label>`
 * link; the lines left out are counted in a last line.
 */
export function fitLines(
  lines: readonly string[],
  max: number,
  more: (left: number) => string,
  /** How many lines there are in all, when `lines` are only the first of them (default: `lines.length`). */
  total = lines.length,
): string {
  const kept: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const left = total - index;
    const reserve = index < total - 1 ? more(left).length + 1 : 0;
    if (used + line.length + 1 + reserve > max) {
      kept.push(more(left));
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  if (kept.length === lines.length && total > lines.length) kept.push(more(total - lines.length));
  return kept.join('\n');
}
