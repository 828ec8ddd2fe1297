import type { z } from 'zod';
import { PermanentError } from '../../errors.js';
import { bodySnippet, isJsonResponse, parseJsonBody, tryParseJson } from '../../http/fetch-json.js';
import type { HttpClient, HttpResponse } from '../../http/http-client.js';
import { OpenReviewAccessError } from './errors.js';
import { splitNotesBody } from './notes-body.js';
import { ErrorBodySchema, type Group, GroupsResponseSchema, NotesResponseSchema } from './schema.js';
import type { OpenReviewSession } from './session.js';

/** OpenReview rejects `limit` above 1000 with a ValidationError (fixture openreview-v2-error-limit-over-1000). */
export const MAX_NOTES_PER_PAGE = 1000;

/**
 * Authenticated reads against API v2. Every answer is checked the same way: HTML or 403 is a challenge
 * (an error asking for credentials), 401 re-logs in once, other 4xx are permanent errors with OpenReview's message.
 */
export class OpenReviewClient {
  /** `/notes` requests made: the benchmark reports listing requests per venue. */
  listingRequests = 0;

  constructor(
    readonly http: HttpClient,
    private readonly apiUrl: string,
    readonly session: OpenReviewSession,
  ) {}

  async listNotes(
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<z.infer<typeof NotesResponseSchema>> {
    this.listingRequests++;
    return this.get('/notes', params, NotesResponseSchema, 'OpenReview notes listing', signal);
  }

  /**
   * `listNotes` with each note as the JSON bytes OpenReview sent, undecoded (`notes-body.ts`), so a scrape reads
   * only the notes it has not stored exactly so before. A body the scan does not expect is parsed whole and each
   * note serialised again: the same answer, the old cost.
   */
  async listNoteBytes(
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<{ count?: number | undefined; notes: Buffer[] }> {
    this.listingRequests++;
    const what = 'OpenReview notes listing';
    const response = await this.getResponse('/notes', params, what, signal, [], true);
    const split = response.bytes && splitNotesBody(response.bytes);
    const envelope = split && NotesResponseSchema.safeParse(split.envelope);
    if (split && envelope?.success) return { count: envelope.data.count, notes: split.notes };
    // Anything unexpected: the whole body parsed as before (its SchemaError says what is wrong).
    const body = parseJsonBody(response, NotesResponseSchema, what);
    return { count: body.count, notes: body.notes.map((note) => Buffer.from(JSON.stringify(note), 'utf8')) };
  }

  /** The venue group, or undefined if OpenReview has no such group (a year that does not exist yet). */
  async getGroup(id: string, signal?: AbortSignal): Promise<Group | undefined> {
    const body = await this.get(
      '/groups',
      { id },
      GroupsResponseSchema,
      'OpenReview venue group',
      signal,
      [404],
    );
    return body?.groups[0];
  }

  private async get<T>(
    path: string,
    params: Record<string, string>,
    schema: z.ZodType<T>,
    what: string,
    signal?: AbortSignal,
    absentStatuses: number[] = [],
  ): Promise<T> {
    const response = await this.getResponse(path, params, what, signal, absentStatuses);
    if (absentStatuses.includes(response.status)) return undefined as T;
    return parseJsonBody(response, schema, what);
  }

  /** A 200 JSON answer (or one of `absentStatuses`); a challenge or another status throws. */
  private async getResponse(
    path: string,
    params: Record<string, string>,
    what: string,
    signal?: AbortSignal,
    absentStatuses: number[] = [],
    bytes = false,
  ): Promise<HttpResponse> {
    const url = `${this.apiUrl}${path}?${new URLSearchParams(params).toString()}`;
    let response = await this.send(url, signal, bytes);
    if (response.status === 401 && this.session.hasCredentials) {
      this.session.invalidate();
      response = await this.send(url, signal, bytes);
    }
    if (absentStatuses.includes(response.status)) return response;
    this.assertNotChallenged(response, what);
    if (response.status !== 200) throw this.errorFor(response, what);
    return response;
  }

  private async send(url: string, signal?: AbortSignal, bytes = false): Promise<HttpResponse> {
    const headers = { accept: 'application/json', ...(await this.session.authHeaders(signal)) };
    return this.http.request({ url, headers, ...(signal ? { signal } : {}), ...(bytes ? { bytes } : {}) });
  }

  private assertNotChallenged(response: HttpResponse, what: string): void {
    const html = !isJsonResponse(response);
    if (!html && response.status !== 403) return;
    const error = html ? undefined : ErrorBodySchema.safeParse(tryParseJson(response.body)).data;
    const detail = html
      ? `an HTML page: ${bodySnippet(titleOf(response.body) ?? response.body, 80)}`
      : (error?.name ?? 'Forbidden');
    throw new OpenReviewAccessError(`the ${what.replace(/^OpenReview /, '')}`, {
      loggedIn: this.session.hasCredentials,
      status: response.status,
      detail,
    });
  }

  private errorFor(response: HttpResponse, what: string): PermanentError {
    const parsed = ErrorBodySchema.safeParse(tryParseJson(response.body));
    const message = parsed.success ? (parsed.data.message ?? parsed.data.name) : bodySnippet(response.body);
    return new PermanentError(`${what} failed with HTTP ${response.status}: ${message}`, {
      context: { status: response.status },
    });
  }
}

function titleOf(html: string): string | undefined {
  return html.match(/<title>([^<]*)<\/title>/i)?.[1]?.trim();
}
