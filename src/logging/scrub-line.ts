/**
 * Secrets are scrubbed from the FINAL serialized log line (issue 10, found item 9): by then pino has joined
 * error causes into `err.message` and `err.stack` and flattened SDK errors (`err.config.headers`), so nothing
 * escapes by sitting deeper than a redact path or inside a cause. Three passes, each a single regex scan:
 * values under a secret-looking key at any depth, known secret shapes anywhere, and the configured secrets.
 */

export const CENSOR = '[redacted]';

/**
 * Key names whose values are secrets (case-insensitive, as a part of the name: `botToken`, `x-amz-security-token`).
 * The parts around the keyword are bounded so that a long run of word characters in a line (a run's output, a
 * blob) costs linear time, not quadratic backtracking.
 */
const SECRET_KEY = String.raw`[\w.-]{0,40}(?:authorization|token|passw(?:or)?d|secret|cookie|credential|api[-_]?key|private[-_]?key|ticket)[\w.-]{0,40}`;

/** `"key":"value"` and `"key":["a","b"]` (set-cookie) in the JSON line itself. */
const JSON_KEY_VALUE = new RegExp(
  String.raw`("${SECRET_KEY}"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|\[\s*(?:"(?:[^"\\]|\\.)*"\s*,?\s*)*\])`,
  'gi',
);
/** The same inside a JSON string (a response body quoted in an error message): `\"token\":\"value\"`. */
const QUOTED_JSON_KEY_VALUE = new RegExp(
  String.raw`(\\"${SECRET_KEY}\\"\s*:\s*)\\"(?:(?!\\")[^"])*\\"`,
  'gi',
);
/**
 * `password=…`, `token: …`, `Cookie: …` in free text (URLs, header dumps). A colon needs a space after it, so
 * `secrets.test.ts:40:22` in a stack trace is not a key and its value; all-digit values are counts.
 */
const TEXT_KEY_VALUE = new RegExp(
  String.raw`(\b${SECRET_KEY}(?:\s*=\s*|\s*:\s+))(?!\d+(?![^\s&",;\\]))(?!Bearer\b|Basic\b|\[redacted\])[^\s&",;\\]+`,
  'gi',
);

/** Slack bot, user, app and refresh tokens; the prefix stays so a reader can tell which kind leaked. */
const SLACK_TOKEN = /\b(xox[a-z]{1,2}[.-]|xapp-)[A-Za-z0-9.-]{3,}/g;
/** AWS access key ids (long-term AKIA, temporary ASIA). */
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g;
/** HTTP credentials: anything after Bearer; after Basic, base64 that has a digit, `+`, `/` or padding in it. */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/g;
const BASIC = /\b(Basic\s+)(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{6,}=*/g;
/**
 * AWS secret access keys: exactly 40 base64 characters standing alone. Mixed case and a digit are required so
 * that hex digests (sha1, lowercase) and words are left alone; a random 40-character key has all three.
 */
const FORTY_BASE64 = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

function looksLikeAwsSecret(candidate: string): boolean {
  return /[A-Z]/.test(candidate) && /[a-z]/.test(candidate) && /[0-9]/.test(candidate);
}

/** Shorter literals would redact ordinary words; a configured secret that short is not protecting much anyway. */
export const MIN_LITERAL_LENGTH = 6;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Each secret as it can appear in a line: raw, JSON-escaped once (a value), and twice (JSON inside a string). */
function spellings(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([secret, once, twice])];
}

export type LineScrubber = (line: string) => string;

/** A scrubber for the given configured secrets (passwords, tokens, keys read from the config and env). */
export function createLineScrubber(secrets: readonly string[] = []): LineScrubber {
  const literals = [...new Set(secrets.filter((s) => s.length >= MIN_LITERAL_LENGTH).flatMap(spellings))]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  const configured = literals.length ? new RegExp(literals.map(escapeRegExp).join('|'), 'g') : undefined;

  return (line) => {
    let out = configured ? line.replace(configured, CENSOR) : line;
    out = out
      .replace(JSON_KEY_VALUE, `$1"${CENSOR}"`)
      .replace(QUOTED_JSON_KEY_VALUE, `$1\\"${CENSOR}\\"`)
      .replace(TEXT_KEY_VALUE, `$1${CENSOR}`)
      .replace(SLACK_TOKEN, `$1…${CENSOR}`)
      .replace(AWS_ACCESS_KEY_ID, `$1…${CENSOR}`)
      .replace(BEARER, `$1${CENSOR}`)
      .replace(BASIC, `$1${CENSOR}`)
      .replace(FORTY_BASE64, (match) => (looksLikeAwsSecret(match) ? CENSOR : match));
    return out;
  };
}
