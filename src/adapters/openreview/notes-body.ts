/**
 * A `/notes` listing body cut into its envelope and the exact bytes of each note, without decoding or parsing
 * the notes (issue 14): a re-scrape recognises an unchanged note by a hash of its bytes and never reads it, and
 * a new note's raw record is kept as OpenReview sent it instead of being serialised again. Decoding, parsing and
 * validating the notes of a 1,000-note page was most of a re-scrape's CPU time and garbage.
 *
 * The scan only finds where each element of the top-level `notes` array begins and ends (strings skipped with
 * `indexOf`, brackets counted; UTF-8 never puts these ASCII bytes inside a multi-byte character); anything it
 * does not expect (an element that is not an object, text between elements, an unterminated string) answers
 * undefined and the caller parses the whole body as before.
 */
export interface NotesBody {
  /** The body with `notes` emptied, parsed: `count` and whatever else OpenReview sends. */
  envelope: unknown;
  /** Each note's JSON, in order: views of the body's bytes, not copies. */
  notes: Buffer[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

export function splitNotesBody(body: Buffer): NotesBody | undefined {
  const array = findNotesArray(body);
  if (array === undefined) return undefined;
  const notes: Buffer[] = [];
  let i = skipSpace(body, array + 1);
  if (body[i] !== CLOSE_ARRAY) {
    for (;;) {
      if (body[i] !== OPEN_OBJECT) return undefined;
      const end = endOfValue(body, i);
      if (end === undefined) return undefined;
      notes.push(body.subarray(i, end));
      i = skipSpace(body, end);
      const next = body[i];
      if (next === CLOSE_ARRAY) break;
      if (next !== COMMA) return undefined;
      i = skipSpace(body, i + 1);
    }
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(`${body.toString('utf8', 0, array)}[]${body.toString('utf8', i + 1)}`);
  } catch {
    return undefined;
  }
  return { envelope, notes };
}

/** Index of the `[` of the root object's `notes` member, or undefined. */
function findNotesArray(body: Buffer): number | undefined {
  let i = skipSpace(body, 0);
  if (body[i] !== OPEN_OBJECT) return undefined;
  i = skipSpace(body, i + 1);
  while (body[i] === QUOTE) {
    const keyEnd = endOfString(body, i);
    if (keyEnd === undefined) return undefined;
    const key = body.toString('utf8', i, keyEnd);
    i = skipSpace(body, keyEnd);
    if (body[i] !== 0x3a) return undefined; // ':'
    i = skipSpace(body, i + 1);
    if (key === '"notes"') return body[i] === OPEN_ARRAY ? i : undefined;
    const end = endOfValue(body, i);
    if (end === undefined) return undefined;
    i = skipSpace(body, end);
    if (body[i] !== COMMA) return undefined;
    i = skipSpace(body, i + 1);
  }
  return undefined;
}

/** End (exclusive) of the JSON value starting at `start`: a string, an object or array, or a scalar. */
function endOfValue(body: Buffer, start: number): number | undefined {
  const first = body[start];
  if (first === QUOTE) return endOfString(body, start);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    let i = start;
    while (i < body.length && !isDelimiter(body[i] as number)) i++;
    return i > start ? i : undefined;
  }
  let depth = 0;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (c === QUOTE) {
      const end = endOfString(body, i);
      if (end === undefined) return undefined;
      i = end - 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}

/** End (exclusive) of the string whose opening quote is at `start`; escaped quotes are inside it. */
function endOfString(body: Buffer, start: number): number | undefined {
  let i = start + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, i);
    if (quote === -1) return undefined;
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function isDelimiter(c: number): boolean {
  return c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c);
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(body: Buffer, start: number): number {
  let i = start;
  while (isSpace(body[i])) i++;
  return i;
}
