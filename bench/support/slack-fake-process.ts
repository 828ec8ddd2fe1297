/**
 * The Slack fake in a child process, with the ack probes and the commands that load the app (issue 14, item 3).
 * Production Slack does not run in the bot's process; in the same process the fake's own work (its WebSocket
 * frames, the HTTP server that takes each answer, the Block Kit checks, the records it keeps, and their garbage)
 * ran on the event loop whose ack latency it measured, about a fifth of that loop's long tasks in every phase.
 * Here the fake measures each ack on an event loop of its own, and only the bot's work runs in the bot.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startSlackFake, type SlackFake } from '../../test/support/slack-fake/index.js';
import { forkFakeChild } from './fake-child.js';

/** What loads the app while acks are probed: `/paper` commands, each sent once the previous one is answered. */
export interface Load {
  /** The `/paper` texts, taken in turn. */
  texts: string[];
  /** Loops sending them. */
  loops: number;
  /** Who sends them (`/paper digest` is for approvers). */
  user?: string;
  /** Keep probing until this many are answered. */
  minDone: number;
}

export interface ProbeRequest {
  probes: number;
  intervalMs: number;
  load?: Load;
}

export interface ProbeResult {
  /** Ack latency of each probe, ms. */
  acks: number[];
  /** Send → answer of each command of the load, ms. */
  answered: number[];
  /**
   * Each probe's envelope, when the fake sent it and when its ack arrived, in ms since the epoch with µs
   * precision (`performance.timeOrigin + performance.now()`, one clock for every process on the machine): the bot
   * records when it read the envelope and when it sent the ack on the same clock, which splits each ack in three.
   */
  envelopes: ProbeEnvelope[];
}

export interface ProbeEnvelope {
  envelopeId: string;
  sentAt: number;
  ackedAt: number;
}

type Request = { op: 'probe'; request: ProbeRequest } | { op: 'send'; texts: string[]; user?: string };
type Reply =
  { op: 'ready'; env: Record<string, string> } | { op: 'probed'; result: ProbeResult } | { op: 'sent' };

export interface SlackFakeProcess {
  /** SLACK_* variables that point an app at the fake. */
  env: Record<string, string>;
  /** Send `/paper help` every `intervalMs` while `load` runs; the acks' latencies and the load's answer times. */
  probe(request: ProbeRequest): Promise<ProbeResult>;
  /** Send these `/paper` commands one after another, each once the previous one is answered. */
  send(texts: string[], user?: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startSlackFakeProcess(): Promise<SlackFakeProcess> {
  const fake = forkFakeChild<Reply>(import.meta.url, 'Slack fake');
  const replyOf =
    <T extends Reply['op']>(op: T) =>
    (reply: Reply): reply is Extract<Reply, { op: T }> =>
      reply.op === op;
  const next = <T extends Reply['op']>(op: T) => fake.next(replyOf(op));
  const ask = <T extends Reply['op']>(request: Request, op: T) => fake.ask(request, replyOf(op));
  const { env } = await next('ready');
  return {
    env,
    probe: async (request) => (await ask({ op: 'probe', request }, 'probed')).result,
    send: async (texts, user) => void (await ask({ op: 'send', texts, ...(user ? { user } : {}) }, 'sent')),
    stop: () => fake.stop(),
  };
}

/** One `/paper` command, from sending it to its answer on the response_url. */
async function command(fake: SlackFake, text: string, user?: string): Promise<number> {
  const start = performance.now();
  const sent = await fake.sendSlashCommand('/paper', text, user);
  await fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId, {
    timeoutMs: 120_000,
  });
  return performance.now() - start;
}

async function probe(fake: SlackFake, { probes, intervalMs, load }: ProbeRequest): Promise<ProbeResult> {
  const answered: number[] = [];
  let stopped = false;
  const loops = Array.from({ length: load?.loops ?? 0 }, async (_, loop) => {
    const texts = load?.texts ?? [];
    for (let i = loop; !stopped; i += load?.loops ?? 1) {
      answered.push(await command(fake, texts[i % texts.length] as string, load?.user));
    }
  });
  const acks: Promise<number>[] = [];
  const envelopes: ProbeEnvelope[] = [];
  const onClock = (at: number) => performance.timeOrigin + at;
  for (let i = 0; i < probes || answered.length < (load?.minDone ?? 0); i += 1) {
    const sent = await fake.sendSlashCommand('/paper', 'help');
    acks.push(
      fake.waitForAck(sent.envelopeId, { timeoutMs: 30_000 }).then((ack) => {
        envelopes.push({
          envelopeId: sent.envelopeId,
          sentAt: onClock(sent.sentAt),
          ackedAt: onClock(ack.at),
        });
        return ack.latencyMs ?? NaN;
      }),
    );
    await sleep(intervalMs);
  }
  const result = { acks: await Promise.all(acks), answered: [...answered], envelopes };
  stopped = true;
  await Promise.all(loops);
  return result;
}

async function serve(): Promise<void> {
  const fake = await startSlackFake();
  process.on('message', (request: Request) => {
    if (request.op === 'probe') {
      void probe(fake, request.request).then((result) => process.send?.({ op: 'probed', result }));
    } else {
      void (async () => {
        for (const text of request.texts) await command(fake, text, request.user);
        process.send?.({ op: 'sent' });
      })();
    }
  });
  process.once('disconnect', () => void fake.close().finally(() => process.exit(0)));
  process.once('SIGTERM', () => void fake.close().finally(() => process.exit(0)));
  process.send?.({ op: 'ready', env: fake.env() } satisfies Reply);
}

if (process.argv.includes('--child')) await serve();
