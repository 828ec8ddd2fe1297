/**
 * The bot's own footprint (issue 14 item 4): Sherpa started exactly as `npm start` starts it, in its own process,
 * against the Slack fake (in this process) with 50,000 papers in its embedded store (`BENCH_PAPERS`). Reports
 * the time from `npm start` to the Socket Mode connection, and the bot process's RSS (read from /proc, so npm
 * and this process are not counted): idle, and under an ack load of 1,000 commands and clicks with 20 in
 * flight. Targets: RSS ≤ 200 MiB steady (the median of the samples), idle and under load.
 *
 * `BENCH_BOT_COMPARE=1` also starts the bot the way `npm start` did before issue 14 (TypeScript through tsx at
 * run time) for comparison.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSlackFake, type SlackFake } from '../test/support/slack-fake/index.js';
import { copyOfSeed, percentile, sharedSeed } from './support/seeded-store.js';

const PAPERS = Number(process.env.BENCH_PAPERS ?? 50_000);
const ENVELOPES = 1000;
const IN_FLIGHT = 20;
const IDLE_MS = 5000;
const TARGET_RSS_MIB = 200;
const PAPER_TEXTS = ['help', 'status 2401.00001', 'search attention', 'digest', 'search kernels year:2024'];

interface Footprint {
  startupMs: number;
  idle: number[];
  load: number[];
  afterLoad: number[];
  acks: number[];
  /** Processes the bot started (name and RSS), read once after the idle period. */
  helpers: { name: string; rss: number }[];
}

export async function run(): Promise<void> {
  const seed = await sharedSeed(PAPERS);
  const results: { label: string; footprint: Footprint }[] = [];
  results.push({ label: 'npm start', footprint: await measure(seed, ['npm', 'start', '--silent']) });
  if (process.env.BENCH_BOT_COMPARE === '1') {
    const before = ['node', '--import', 'tsx', 'src/main.ts'];
    results.push({ label: before.join(' '), footprint: await measure(seed, before) });
  }
  const [load1] = loadavg();
  console.log(
    `${PAPERS} papers in the embedded store; ${availableParallelism()} CPUs, load average ${load1?.toFixed(1)}; ` +
      'RSS of the bot process alone (/proc), sampled every 100 ms',
  );
  for (const { label, footprint } of results) {
    const mib = (values: number[], p: number) =>
      (
        percentile(
          [...values].sort((a, b) => a - b),
          p,
        ) /
        2 ** 20
      ).toFixed(0);
    const steadyIdle =
      percentile(
        [...footprint.idle].sort((a, b) => a - b),
        50,
      ) /
      2 ** 20;
    const steadyLoad =
      percentile(
        [...footprint.load].sort((a, b) => a - b),
        50,
      ) /
      2 ** 20;
    const acks = [...footprint.acks].sort((a, b) => a - b);
    console.log(`${label}: start → Socket Mode connected ${footprint.startupMs.toFixed(0)} ms`);
    console.log(
      `  RSS idle (${IDLE_MS / 1000} s after connecting): median ${steadyIdle.toFixed(0)} MiB, max ${mib(footprint.idle, 100)} MiB; ` +
        `target ≤ ${TARGET_RSS_MIB} MiB: ${steadyIdle <= TARGET_RSS_MIB ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  RSS under ${ENVELOPES} commands and clicks, ${IN_FLIGHT} in flight: median ${steadyLoad.toFixed(0)} MiB, ` +
        `max ${mib(footprint.load, 100)} MiB; afterwards ${mib(footprint.afterLoad, 50)} MiB; ` +
        `target ≤ ${TARGET_RSS_MIB} MiB: ${steadyLoad <= TARGET_RSS_MIB ? 'met' : 'NOT met'}`,
    );
    const helperMib = footprint.helpers.reduce((sum, h) => sum + h.rss, 0) / 2 ** 20;
    const names = footprint.helpers.map((h) => h.name).join(', ');
    console.log(
      `  processes the bot started: ${footprint.helpers.length}${names ? ` (${names}, ${helperMib.toFixed(0)} MiB RSS)` : ''}`,
    );
    console.log(
      `  ack latency under that load: p50 ${percentile(acks, 50).toFixed(1)} ms, p99 ${percentile(acks, 99).toFixed(1)} ms`,
    );
  }
}

async function measure(seed: Awaited<ReturnType<typeof sharedSeed>>, command: string[]): Promise<Footprint> {
  const fake = await startSlackFake();
  const data = copyOfSeed(seed);
  const started = performance.now();
  const [program, ...args] = command as [string, ...string[]];
  const child = spawn(program, args, {
    env: botEnv(fake, data.dataDir),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await Promise.race([fake.waitForConnection({ timeoutMs: 60_000 }), exited(child)]);
    const startupMs = performance.now() - started;
    const bot = botPid(child.pid as number);
    const idle = await sampleRss(bot, () => sleep(IDLE_MS));
    const helpers = descendantsOf(bot).map((pid) => ({ name: commOf(pid), rss: rssOf(pid) }));
    const acks: number[] = [];
    const load = await sampleRss(bot, () => ackLoad(fake, acks));
    const afterLoad = await sampleRss(bot, () => sleep(2000));
    return { startupMs, idle, load, afterLoad, acks, helpers };
  } finally {
    await stop(child);
    await fake.close();
    data.remove();
  }
}

/** What `npm start` needs to reach the fake, and nothing that leaves the machine. */
function botEnv(fake: SlackFake, dataDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...fake.env(),
    APPROVERS: 'U0APPROVER1',
    TIMEZONE: 'UTC',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    SHERPA_ENV_FILE: '/nonexistent/.env',
    OPENREVIEW_API_URL: 'http://127.0.0.1:9',
    ARXIV_API_URL: 'http://127.0.0.1:9/api/query',
    MLSYS_PROCEEDINGS_URL: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** 1,000 envelopes, `IN_FLIGHT` at a time: `/paper` commands in rotation and stale button clicks. */
async function ackLoad(fake: SlackFake, latencies: number[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ENVELOPES) {
      const i = next++;
      const sent =
        i % 2 === 0
          ? await fake.sendSlashCommand('/paper', PAPER_TEXTS[(i / 2) % PAPER_TEXTS.length] as string)
          : await fake.clickButton({ actionId: 'stale.button_v0', value: `p_${i}` });
      const ack = await fake.waitForAck(sent.envelopeId, { timeoutMs: 30_000 });
      latencies.push(ack.latencyMs ?? Number.NaN);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** RSS samples of `pid` every 100 ms while `during` runs. */
async function sampleRss(pid: number, during: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [rssOf(pid)];
  const timer = setInterval(() => samples.push(rssOf(pid)), 100);
  try {
    await during();
  } finally {
    clearInterval(timer);
  }
  samples.push(rssOf(pid));
  return samples;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1]);
  return kib * 1024;
}

/**
 * `npm start` runs the bot as a descendant (npm → sh → node). The deepest process named `node` is the bot; a
 * child it started itself (tsx's esbuild service) is reported separately (`helpersOf`).
 */
function botPid(root: number): number {
  let bot = root;
  const visit = (pid: number): void => {
    if (commOf(pid) === 'node') bot = pid;
    for (const child of childrenOf(pid)) visit(child);
  };
  visit(root);
  return bot;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}

function exited(child: ChildProcess): Promise<never> {
  return new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the bot exited (${code}) before connecting`))),
  );
}

/** SIGTERM to the bot itself (npm relays signals unreliably), then wait for npm to notice. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(botPid(child.pid as number), 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  await Promise.race([done, sleep(15_000).then(() => child.kill('SIGKILL'))]);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
