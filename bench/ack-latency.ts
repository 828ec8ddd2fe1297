/**
 * Interaction ack latency (issue 2): 500 slash commands and 500 button clicks pushed through the Slack fake's
 * Socket Mode server into the real Sherpa app (same boot path as `npm start`, embedded store in a temp dir),
 * one after another as fast as the socket accepts them (the sender yields to the event loop between frames so
 * the app can run). Reports p50/p99/max ack latency per kind, the time to the ephemeral answer for commands,
 * and peak RSS. Target: p99 ≤ 50 ms on a 2-core machine.
 *
 * First, the floor (issue 14, item 3): 500 `/paper help` with 20 in flight, sent to Sherpa and to a bare Bolt
 * app that only acks (bench/support/bare-bolt-app.ts), each through its own Socket Mode fake in this process,
 * in alternating rounds so that a change in machine load hits both. Target: Sherpa's p99 ≤ 2× the bare app's.
 *
 * `BENCH_PROFILE=<file.cpuprofile>` then profiles one more round of each app (500 commands) (the CPU profile of the whole
 * process: app and fake) and prints the top frames by self time; the Sherpa profile goes to the file.
 *
 * The fake and the app share one process and one event loop, so these figures include the fake's own work
 * (JSON encoding, HTTP handling of response_url and chat.postEphemeral); a real Slack is cheaper for us.
 */
import { availableParallelism, loadavg } from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ACTION_IDS } from '../src/messages/action-ids.js';
import type { SentEnvelope } from '../test/support/slack-fake/index.js';
import { startSlackFake } from '../test/support/slack-fake/index.js';
import type { SlackFake } from '../test/support/slack-fake/index.js';
import { startSherpa } from '../test/support/start-sherpa.js';
import { startBareBoltApp } from './support/bare-bolt-app.js';
import { profileWhile, saveProfile, topFrames } from './support/cpu-profile.js';

const COMMANDS = 500;
const CLICKS = 500;
const TARGET_P99_MS = 50;
/** The floor comparison: `/paper help` per app, commands kept in flight, rounds per app, target ratio. */
const FLOOR_COMMANDS = 500;
const FLOOR_IN_FLIGHT = 20;
const FLOOR_ROUNDS = 4;
const TARGET_RATIO = 2;
const PROFILE = process.env.BENCH_PROFILE;

/** `/paper` texts in rotation: store lookups, a search, a not-yet-available answer, and one malformed (usage in the ack). */
const PAPER_TEXTS = [
  'help',
  'status 2401.00001',
  'search attention',
  'digest',
  'status',
  'search kernels year:2024',
];
const MALFORMED = 'status';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

function summary(label: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1).padStart(7);
  return `${label.padEnd(26)} n=${String(sorted.length).padStart(4)}  p50 ${f(percentile(sorted, 50))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted.at(-1) ?? Number.NaN)} ms`;
}

/**
 * Send `count` `/paper help` with `inFlight` outstanding at any time (a lane sends its next command once the
 * last one is acked). Returns the ack latencies and, with `answered`, the time from send to the answer through
 * response_url; the round ends only when every answer is in, so no work spills into the other app's round.
 */
async function helpRound(
  fake: SlackFake,
  count: number,
  inFlight: number,
  answered: boolean,
): Promise<{ acks: number[]; answers: number[]; ackCpuMs: number; answerCpuMs: number }> {
  const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
  const cpuAtStart = process.cpuUsage();
  const acks: number[] = [];
  const pending: Array<Promise<number>> = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next += 1;
      const sent = await fake.sendSlashCommand('/paper', 'help');
      if (answered) {
        pending.push(
          fake
            .waitForCall('response_url', (call) => call.responseUrlId === sent.responseUrlId, {
              timeoutMs: 60_000,
            })
            .then((call) => call.at - sent.sentAt),
        );
      }
      const ack = await fake.waitForAck(sent.envelopeId, { timeoutMs: 30_000 });
      acks.push(ack.latencyMs ?? Number.NaN);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const ackCpuMs = cpuMs(process.cpuUsage(cpuAtStart));
  const answers = await Promise.all(pending);
  return { acks, answers, ackCpuMs, answerCpuMs: cpuMs(process.cpuUsage(cpuAtStart)) - ackCpuMs };
}

/** Sherpa beside a bare Bolt app, both through their own fake, in alternating rounds. */
async function floorComparison(sherpaFake: SlackFake): Promise<void> {
  const bareFake = await startSlackFake();
  const bare = await startBareBoltApp(bareFake);
  try {
    await helpRound(bareFake, 40, FLOOR_IN_FLIGHT, false);
    await helpRound(sherpaFake, 40, FLOOR_IN_FLIGHT, true);
    const bareLatency: number[] = [];
    const sherpaLatency: number[] = [];
    const sherpaAnswers: number[] = [];
    const cpu = { bare: 0, sherpaAck: 0, sherpaAnswer: 0 };
    const perRound = FLOOR_COMMANDS / FLOOR_ROUNDS;
    for (let round = 0; round < FLOOR_ROUNDS; round += 1) {
      const bareRound = await helpRound(bareFake, perRound, FLOOR_IN_FLIGHT, false);
      bareLatency.push(...bareRound.acks);
      cpu.bare += bareRound.ackCpuMs;
      const sherpaRound = await helpRound(sherpaFake, perRound, FLOOR_IN_FLIGHT, true);
      sherpaLatency.push(...sherpaRound.acks);
      sherpaAnswers.push(...sherpaRound.answers);
      cpu.sherpaAck += sherpaRound.ackCpuMs;
      cpu.sherpaAnswer += sherpaRound.answerCpuMs;
    }
    const p = (values: number[], q: number) =>
      percentile(
        [...values].sort((a, b) => a - b),
        q,
      );
    const ratio = p(sherpaLatency, 99) / p(bareLatency, 99);
    console.log(
      `${FLOOR_COMMANDS} /paper help per app, ${FLOOR_IN_FLIGHT} in flight, ${FLOOR_ROUNDS} alternating rounds:`,
    );
    console.log(summary('ack: bare Bolt app', bareLatency));
    console.log(summary('ack: Sherpa', sherpaLatency));
    console.log(summary('Sherpa: send → answer', sherpaAnswers));
    // CPU time does not depend on what else the machine runs; it includes the fake's share of each exchange.
    const perCommand = (ms: number) => (ms / FLOOR_COMMANDS).toFixed(2);
    console.log(
      `CPU per command (app + fake): bare ${perCommand(cpu.bare)} ms to the ack; Sherpa ` +
        `${perCommand(cpu.sherpaAck)} ms to the last ack of a round, ${perCommand(cpu.sherpaAnswer)} ms more to answer`,
    );
    console.log(
      `p99 Sherpa / bare ${ratio.toFixed(2)}× (p50 ${(p(sherpaLatency, 50) / p(bareLatency, 50)).toFixed(2)}×): ` +
        `target ≤ ${TARGET_RATIO}× ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}`,
    );
    console.log(
      `machine: load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (1/5/15 min)`,
    );
    if (PROFILE) {
      const profiles = [
        [
          'bare Bolt app',
          await profileWhile(() => helpRound(bareFake, FLOOR_COMMANDS, FLOOR_IN_FLIGHT, false)),
        ],
        [
          'Sherpa (answers included)',
          await profileWhile(() => helpRound(sherpaFake, FLOOR_COMMANDS, FLOOR_IN_FLIGHT, true)),
        ],
      ] as const;
      saveProfile(PROFILE, profiles[1][1].profile);
      for (const [label, { profile }] of profiles) {
        console.log(`CPU profile of one more round, ${label}: top frames by self time`);
        for (const { share, frame } of topFrames(profile, 12)) {
          console.log(`  ${(share * 100).toFixed(1).padStart(5)} %  ${frame}`);
        }
      }
    }
  } finally {
    await bare.stop();
    await bareFake.close();
  }
}

export async function run(): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const sherpa = await startSherpa({ logLevel: 'info' });
  try {
    await floorComparison(sherpa.fake);
    if (process.env.ACK_FLOOR_ONLY === '1') return;

    // Warm-up: JIT, the store's prepared statements, the first HTTP connections.
    for (let i = 0; i < 20; i += 1) {
      const sent = await sherpa.fake.sendSlashCommand(
        '/paper',
        PAPER_TEXTS[i % PAPER_TEXTS.length] as string,
      );
      await sherpa.fake.waitForAck(sent.envelopeId);
    }

    const commands: (SentEnvelope & { responseUrlId: string; text: string })[] = [];
    const clicks: SentEnvelope[] = [];
    const started = performance.now();
    for (let i = 0; i < COMMANDS + CLICKS; i += 1) {
      if (i % 2 === 0) {
        const paper = i % 4 === 0;
        const text = paper ? (PAPER_TEXTS[(i / 4) % PAPER_TEXTS.length] as string) : 'help';
        commands.push({ ...(await sherpa.fake.sendSlashCommand(paper ? '/paper' : '/scrape', text)), text });
      } else {
        // Half are URL buttons (known id, plain ack); half are stale buttons (the gate acks and answers).
        const actionId = i % 4 === 1 ? ACTION_IDS.openLink : 'stale.button_v0';
        clicks.push(await sherpa.fake.clickButton({ actionId, value: `p_${i}` }));
      }
      await yieldToLoop();
    }
    const acks = await Promise.all(
      [...commands, ...clicks].map((s) => sherpa.fake.waitForAck(s.envelopeId, { timeoutMs: 30_000 })),
    );
    const allAcked = performance.now();
    // Malformed commands are answered in the ack itself; every other command answers through response_url.
    const answered = commands.filter((c) => c.text !== MALFORMED);
    const answers = await Promise.all(
      answered.map((c) =>
        sherpa.fake
          .waitForCall('response_url', (call) => call.responseUrlId === c.responseUrlId, {
            timeoutMs: 30_000,
          })
          .catch(() => undefined),
      ),
    );
    const latency = new Map(acks.map((a) => [a.envelopeId, a.latencyMs ?? Number.NaN]));
    const commandLatency = commands.map((c) => latency.get(c.envelopeId) as number);
    const clickLatency = clicks.map((c) => latency.get(c.envelopeId) as number);
    const answerLatency = answered.flatMap((c, i) => {
      const answer = answers[i];
      return answer ? [answer.at - c.sentAt] : [];
    });
    const all = [...commandLatency, ...clickLatency].sort((a, b) => a - b);
    const p99 = percentile(all, 99);

    console.log(
      `${COMMANDS} slash commands + ${CLICKS} button clicks, ${(allAcked - started).toFixed(0)} ms from first send to last ack`,
    );
    console.log(summary('ack: slash commands', commandLatency));
    console.log(summary('ack: button clicks', clickLatency));
    console.log(summary('ack: all', all));
    console.log(summary('command → ephemeral answer', answerLatency));
    console.log(
      `unanswered commands: ${answered.length - answerLatency.length}, acks ≥ 3 s: ${all.filter((ms) => ms >= 3000).length}`,
    );
    console.log(
      `machine: ${availableParallelism()} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (1/5/15 min)`,
    );
    console.log(
      `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (app + fake in one process; maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB)`,
    );
    console.log(
      `target p99 ≤ ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'MISSED'} (p99 ${p99.toFixed(1)} ms)`,
    );
  } finally {
    clearInterval(sampler);
    await sherpa.stop();
  }
}
if (import.meta.url === `file://${process.argv[1]}`) await run();
