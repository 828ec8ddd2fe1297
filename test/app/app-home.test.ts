import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/** The Home tab through the real app: published on every open, with the dashboard parts, within 100 blocks. */
describe('App Home', () => {
  let sherpa: SherpaHarness;
  beforeAll(async () => {
    // No LLM, so no judge worker: the judge job seeded below must stay waiting to be counted.
    sherpa = await startSherpa({
      env: { DAILY_BUDGET_USD: '20' },
      decorateDeps: (deps) => ({ ...deps, llm: undefined }),
    });
  });
  afterAll(async () => {
    await sherpa?.stop();
  });

  async function open(user: string) {
    const before = sherpa.fake.calls('views.publish').length;
    await sherpa.fake.sendEvent({ type: 'app_home_opened', user, channel: 'D0HOME0001', tab: 'home' });
    await sherpa.fake.waitForCall('views.publish', () => sherpa.fake.calls('views.publish').length > before);
    const view = sherpa.fake.homeView(user);
    if (!view) throw new Error('no Home view published');
    return { view, text: JSON.stringify(view.blocks) };
  }

  it('publishes queues, instances, runs in flight, today’s spend against the budget and the latest threads', async () => {
    const { deps, config } = sherpa;
    const channel = config.slack.channel;
    const now = deps.clock.now();
    // A paper with a thread waiting for a run approval, and one whose run is in flight.
    const waiting = await seedCodeReadyPaper(deps, 3, { thread: { channel, ts: '1763888400.000100' } });
    const inFlight = await seedCodeReadyPaper(deps, 4, { thread: { channel, ts: '1763888500.000100' } });
    const version = inFlight.codeVersions[0]!;
    await deps.papers.transition({
      paperId: inFlight.id,
      from: 'code_ready',
      to: 'run_approved',
      actor: TEST_APPROVER,
      artifactHash: version.hash,
      patch: {
        runs: [
          {
            runId: 'run-home-1',
            codeHash: version.hash,
            status: 'queued',
            queuedAt: new Date(now.getTime() - 7 * 60_000).toISOString(),
          },
        ],
      },
    });
    await deps.queues.judge.send(
      { paperId: 'p_000000000001' },
      { dedupeId: 'home-1', groupId: 'p_000000000001' },
    );
    await deps.ledger.record({
      at: now.toISOString(),
      kind: 'llm',
      resource: config.bedrock.judgeModelId,
      purpose: 'judge',
      paperId: waiting.id,
      inputTokens: 1000,
      outputTokens: 100,
      usd: 4.5,
    });

    const { view, text } = await open('U0HOMEUSER1');
    expect(view.type).toBe('home');
    expect(text).toContain('*Runs in flight*');
    expect(text).toContain('run_approved');
    expect(text).toContain('7 min');
    expect(text).toContain('*Latest threads*');
    expect(text).toContain('https://slack.com/archives/C0FAKECHAN1/p1763888500000100');
    expect(text).toContain('$4.50 of $20.00 daily budget (23 %)');
    expect(text).toContain('Judge: 1 waiting · 0 in progress');
    expect(text).toContain('Evolve searches: 0 waiting · 0 in progress');
    expect(text).toContain('Runs are off here');
    expect(text).toContain('Code ready, waiting for run approval');
    expectWithinBlockKitLimits(view.blocks as never, 100);
  });

  it('is rebuilt on every open, so it shows what changed since', async () => {
    const first = await open('U0HOMEUSER2');
    expect(first.text).not.toContain('p1763899999000100');
    const paper = await ingestAccepted(sherpa.deps.papers, 9);
    await sherpa.deps.papers.update(paper.id, {
      thread: { channel: 'C0FAKECHAN1', ts: '1763899999.000100' },
    });
    const second = await open('U0HOMEUSER2');
    expect(second.text).toContain('p1763899999000100');
  });
});
