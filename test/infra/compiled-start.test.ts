import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

/**
 * `npm start` runs the JavaScript that scripts/build.mjs compiles into dist/ (issue 14: no TypeScript loader in
 * the running bot). These run that output as a process, the way `npm start` and the systemd unit do.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface BuildScript {
  build(options?: { ifStale?: boolean }): Promise<boolean>;
  outputPathOf(source: string): string;
}

let script: BuildScript;

beforeAll(async () => {
  script = (await import(new URL('scripts/build.mjs', `file://${ROOT}`).href)) as BuildScript;
  await script.build({ ifStale: true });
}, 60_000);

function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
): {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout: () => string;
  kill: () => void;
} {
  const child = spawn(process.execPath, args, { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { done, stdout: () => stdout, kill: () => child.kill('SIGTERM') };
}

const BASE_ENV = { PATH: process.env.PATH, SHERPA_ENV_FILE: '/nonexistent/.env' };

describe('the compiled bot (what npm start runs)', () => {
  it('finds files it reads at run time from dist/ as from src/', async () => {
    const probe = `const m = await import('./${script.outputPathOf('src/runner/runner-bundle.ts')}');
      const s = await import('./${script.outputPathOf('src/doctor/manifest-scopes.ts')}');
      console.log(JSON.stringify({ runner: m.DEFAULT_RUNNER_DIR, scopes: s.manifestBotScopes().length }));`;
    const { code, stdout } = await runNode(['--input-type=module', '-e', probe], BASE_ENV).done;
    expect(code).toBe(0);
    const found = JSON.parse(stdout) as { runner: string; scopes: number };
    expect(found.runner).toBe(join(ROOT, 'trainium-runner') + '/');
    expect(found.scopes).toBeGreaterThan(0);
  });

  it('answers a missing configuration with the list of what to set', async () => {
    const { code, stderr } = await runNode([script.outputPathOf('src/main.ts')], BASE_ENV).done;
    expect(code).toBe(1);
    expect(stderr).toContain('SLACK_BOT_TOKEN');
  });

  describe('against the Slack fake', () => {
    let fake: SlackFake;
    let dataDir: string;

    beforeAll(async () => {
      fake = await startSlackFake();
      dataDir = mkdtempSync(join(tmpdir(), 'sherpa-compiled-'));
    });

    afterAll(async () => {
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('connects over Socket Mode, acks a command, and stops cleanly on SIGTERM', async () => {
      const bot = runNode([script.outputPathOf('src/main.ts')], {
        ...BASE_ENV,
        ...fake.env(),
        APPROVERS: 'U0APPROVER1',
        TIMEZONE: 'UTC',
        LOG_FORMAT: 'json',
        DATA_DIR: dataDir,
        OPENREVIEW_API_URL: 'http://127.0.0.1:9',
        ARXIV_API_URL: 'http://127.0.0.1:9/api/query',
        MLSYS_PROCEEDINGS_URL: 'http://127.0.0.1:9',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9',
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      try {
        await fake.waitForConnection({ timeoutMs: 30_000 });
        const sent = await fake.sendSlashCommand('/paper', 'help');
        const ack = await fake.waitForAck(sent.envelopeId, { timeoutMs: 10_000 });
        expect(ack.envelopeId).toBe(sent.envelopeId);
        await vi.waitFor(() => expect(bot.stdout()).toContain('Sherpa is running'), { timeout: 20_000 });
      } finally {
        bot.kill();
      }
      const { code, stdout } = await bot.done;
      expect(code).toBe(0);
      expect(stdout).toContain('Sherpa stopped');
    }, 60_000);
  });
});
