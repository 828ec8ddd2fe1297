import type { LedgerSummary } from '../ports/cost-ledger.js';
import type { SpendLine, SpendPeriod } from '../messages/digest-data.js';

/**
 * A ledger summary split into models (token usage) and instances (running seconds), most expensive first.
 * The summary does not say which kind a resource is; tokens mean a model, seconds an instance.
 */
export function spendPeriod(summary: LedgerSummary): SpendPeriod {
  const models: SpendLine[] = [];
  const instances: SpendLine[] = [];
  for (const [resource, line] of Object.entries(summary.byResource)) {
    const spend = { resource, ...line };
    if (line.seconds > 0 && line.inputTokens + line.outputTokens === 0) instances.push(spend);
    else if (line.inputTokens + line.outputTokens > 0 || line.usd > 0) models.push(spend);
  }
  const byCost = (a: SpendLine, b: SpendLine) => b.usd - a.usd || a.resource.localeCompare(b.resource);
  return { usd: summary.usd, models: models.sort(byCost), instances: instances.sort(byCost) };
}
