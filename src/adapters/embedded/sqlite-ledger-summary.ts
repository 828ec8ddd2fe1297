import type { LedgerSummary } from '../../ports/cost-ledger.js';
import type { SqliteConnection } from './sqlite-database.js';

/** A summary's bounds, as ISO times (`since <= at < until`), and optionally one paper. */
export interface LedgerSummaryQuery {
  since: string;
  until?: string;
  paperId?: string;
}

interface SummaryRow {
  resource: string;
  kind: string;
  usd: number;
  input_tokens: number;
  output_tokens: number;
  seconds: number;
}

/**
 * The ledger's sums per resource, on any connection to the database: the ledger's own, or the read worker's
 * (issue 14, item 3), which is why it is a statement of its own.
 */
export class LedgerSummaryStatement {
  private readonly statement;

  constructor(connection: SqliteConnection) {
    this.statement = connection.prepare<
      { since: string; until: string | null; paperId: string | null },
      SummaryRow
    >(
      `SELECT resource, kind, SUM(usd) AS usd, COALESCE(SUM(input_tokens), 0) AS input_tokens,
           COALESCE(SUM(output_tokens), 0) AS output_tokens, COALESCE(SUM(seconds), 0) AS seconds
         FROM cost_ledger
         WHERE at >= @since AND (@until IS NULL OR at < @until) AND (@paperId IS NULL OR paper_id = @paperId)
         GROUP BY resource, kind`,
    );
  }

  summarize(query: LedgerSummaryQuery): LedgerSummary {
    const rows = this.statement.all({
      since: query.since,
      until: query.until ?? null,
      paperId: query.paperId ?? null,
    });
    const summary: LedgerSummary = {
      usd: 0,
      inputTokens: 0,
      outputTokens: 0,
      instanceSeconds: 0,
      byResource: {},
    };
    for (const row of rows) {
      summary.usd += row.usd;
      summary.inputTokens += row.input_tokens;
      summary.outputTokens += row.output_tokens;
      if (row.kind === 'instance') summary.instanceSeconds += row.seconds;
      const resource = (summary.byResource[row.resource] ??= {
        usd: 0,
        inputTokens: 0,
        outputTokens: 0,
        seconds: 0,
      });
      resource.usd += row.usd;
      resource.inputTokens += row.input_tokens;
      resource.outputTokens += row.output_tokens;
      resource.seconds += row.seconds;
    }
    return summary;
  }
}
