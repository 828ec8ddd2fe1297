import type { CoreDeps } from '../deps.js';
import { scrapeServiceFor, type ScrapeService } from './scrape-service.js';

/** The scrape service of a running Sherpa, with the source adapters composed for its configuration. */
export function scrapesFor(deps: CoreDeps): ScrapeService {
  return scrapeServiceFor(deps, () => deps.sources);
}
