import { LedgerEntrySchema } from '../../domain/ledger-entry.js';
import type { CostLedger, LedgerEntry, LedgerExecution, LedgerSummary } from '../../ports/cost-ledger.js';
import type { ReadWorkers } from './read-workers.js';
import { runSql, runSqlAsync, type SherpaDatabase } from './sqlite-database.js';
import { type LedgerSummaryQuery, LedgerSummaryStatement } from './sqlite-ledger-summary.js';

interface LedgerRow {
  at: string;
  paper_id: string | null;
  run_id: string | null;
  kind: 'llm' | 'instance';
  resource: string;
  purpose: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  seconds: number | null;
  usd: number;
  instance_type: string | null;
  market: string | null;
  device: string | null;
  wall_seconds: number | null;
  throughput_value: number | null;
  throughput_unit: string | null;
}

export interface SqliteCostLedgerOptions {
  /**
   * The paper store's read workers when it uses them (`SqlitePaperStore.readWorkersInUse`): the summaries behind
   * the digest and App Home then run there, off the event loop that acks Slack (issue 14, item 3).
   */
  readWorkers?: () => ReadWorkers | undefined;
}

/** The cost ledger on SQLite: one row per priced call or instance session. */
export class SqliteCostLedger implements CostLedger {
  private readonly statements;
  private readonly summary: LedgerSummaryStatement;

  constructor(
    private readonly database: SherpaDatabase,
    private readonly options: SqliteCostLedgerOptions = {},
  ) {
    this.summary = new LedgerSummaryStatement(database.connection);
    const prepare = database.connection.prepare.bind(database.connection);
    this.statements = {
      insert: prepare<LedgerRow>(
        `INSERT INTO cost_ledger (at, paper_id, run_id, kind, resource, purpose, input_tokens, output_tokens,
           cache_read_tokens, cache_write_tokens, seconds, usd, instance_type, market, device, wall_seconds,
           throughput_value, throughput_unit)
         VALUES (@at, @paper_id, @run_id, @kind, @resource, @purpose, @input_tokens, @output_tokens,
           @cache_read_tokens, @cache_write_tokens, @seconds, @usd, @instance_type, @market, @device,
           @wall_seconds, @throughput_value, @throughput_unit)`,
      ),
      entries: prepare<{ since: string | null; paperId: string | null; limit: number }, LedgerRow>(
        `SELECT * FROM cost_ledger
         WHERE (@since IS NULL OR at >= @since) AND (@paperId IS NULL OR paper_id = @paperId)
         ORDER BY at DESC, seq DESC LIMIT @limit`,
      ),
    };
  }

  async record(input: LedgerEntry): Promise<void> {
    const entry = LedgerEntrySchema.parse(input);
    await runSqlAsync(this.database, () =>
      this.statements.insert.run({
        // Normalised to UTC so that string comparison orders times correctly.
        at: new Date(entry.at).toISOString(),
        paper_id: entry.paperId ?? null,
        run_id: entry.runId ?? null,
        kind: entry.kind,
        resource: entry.resource,
        purpose: entry.purpose,
        input_tokens: entry.inputTokens ?? null,
        output_tokens: entry.outputTokens ?? null,
        cache_read_tokens: entry.cacheReadTokens ?? null,
        cache_write_tokens: entry.cacheWriteTokens ?? null,
        seconds: entry.seconds ?? null,
        usd: entry.usd,
        instance_type: entry.execution?.instanceType ?? null,
        market: entry.execution?.market ?? null,
        device: entry.execution?.device ?? null,
        wall_seconds: entry.execution?.wallSeconds ?? null,
        throughput_value: entry.execution?.throughput?.value ?? null,
        throughput_unit: entry.execution?.throughput?.unit ?? null,
      }),
    );
  }

  async summarize(options: LedgerSummaryQuery): Promise<LedgerSummary> {
    const query = {
      since: new Date(options.since).toISOString(),
      ...(options.until ? { until: new Date(options.until).toISOString() } : {}),
      ...(options.paperId ? { paperId: options.paperId } : {}),
    };
    const workers = this.options.readWorkers?.();
    if (workers) return workers.read('summarizeLedger', { query });
    return runSql(this.database, () => this.summary.summarize(query));
  }

  async entries(options: { paperId?: string; since?: string; limit?: number } = {}): Promise<LedgerEntry[]> {
    const rows = runSql(this.database, () =>
      this.statements.entries.all({
        since: options.since ? new Date(options.since).toISOString() : null,
        paperId: options.paperId ?? null,
        limit: options.limit ?? 100,
      }),
    );
    return rows.map(entryOf);
  }
}

function entryOf(row: LedgerRow): LedgerEntry {
  const entry: LedgerEntry = {
    at: row.at,
    kind: row.kind,
    resource: row.resource,
    purpose: row.purpose,
    usd: row.usd,
  };
  if (row.paper_id !== null) entry.paperId = row.paper_id;
  if (row.run_id !== null) entry.runId = row.run_id;
  if (row.input_tokens !== null) entry.inputTokens = row.input_tokens;
  if (row.output_tokens !== null) entry.outputTokens = row.output_tokens;
  if (row.cache_read_tokens !== null) entry.cacheReadTokens = row.cache_read_tokens;
  if (row.cache_write_tokens !== null) entry.cacheWriteTokens = row.cache_write_tokens;
  if (row.seconds !== null) entry.seconds = row.seconds;
  const execution = executionOf(row);
  if (execution) entry.execution = execution;
  return entry;
}

function executionOf(row: LedgerRow): LedgerExecution | undefined {
  const execution: LedgerExecution = {};
  if (row.instance_type !== null) execution.instanceType = row.instance_type;
  if (row.market !== null) execution.market = row.market;
  if (row.device !== null) execution.device = row.device;
  if (row.wall_seconds !== null) execution.wallSeconds = row.wall_seconds;
  if (row.throughput_value !== null && row.throughput_unit !== null)
    execution.throughput = { value: row.throughput_value, unit: row.throughput_unit };
  return Object.keys(execution).length > 0 ? execution : undefined;
}
