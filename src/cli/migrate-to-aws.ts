/**
 * `npm run migrate:aws [-- --dry-run]`: move an embedded Sherpa (DATA_DIR) to S3, OpenSearch and SQS.
 * Stop the bot first. Exit status 0 only when every blob and document was copied.
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import { migrateToAws } from '../migration/migrate-to-aws.js';

async function main(): Promise<number> {
  const envFile = process.env.SHERPA_ENV_FILE ?? '.env';
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const dryRun = process.argv.includes('--dry-run');
  const config = loadConfig(process.env);
  console.log(`${dryRun ? 'Dry run: counting' : 'Migrating'} ${config.dataDir} → AWS (${config.aws.region})`);
  const report = await migrateToAws(config, { dryRun });
  const { blobs, records, queues } = report;
  console.log(
    `blobs:        ${blobs.copied} ${dryRun ? 'to copy' : 'copied'} (${(blobs.bytes / 1e6).toFixed(1)} MB), ${blobs.alreadyThere} already in S3, ${blobs.failed.length} failed`,
  );
  console.log(`papers:       ${records.papers}`);
  console.log(`searches:     ${records.searches}`);
  console.log(
    `cost entries: ${records.ledger}${report.ledgerSkipped ? ' (not copied: the ledger index already has entries)' : ''}`,
  );
  console.log(`coordination: ${records.coordination}`);
  for (const [name, moved] of Object.entries(queues.moved)) {
    const dead = queues.deadLettersLeft[name] ?? 0;
    console.log(
      `queue ${name.padEnd(8)} ${moved} ${dryRun ? 'to move' : 'moved'}${dead ? `, ${dead} dead letters left behind` : ''}`,
    );
  }
  for (const [name, left] of Object.entries(queues.noTarget)) {
    if (left > 0)
      console.log(`queue ${name.padEnd(8)} ${left} left in DATA_DIR: no SQS queue configured for it`);
  }
  for (const bulk of report.bulk) {
    console.log(`bulk ${bulk.index}: ${bulk.successful}/${bulk.total} indexed, ${bulk.failed} failed`);
    for (const failure of bulk.failures.slice(0, 20))
      console.log(`  - ${failure.id ?? '(no id)'}: ${failure.status} ${failure.reason}`);
  }
  for (const failure of blobs.failed.slice(0, 20)) console.log(`  - blob ${failure.key}: ${failure.error}`);
  console.log(
    report.complete ? 'Done.' : 'Incomplete: fix the failures above and run again (it is safe to repeat).',
  );
  return report.complete ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
