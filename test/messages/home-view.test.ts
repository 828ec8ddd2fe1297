import { describe, expect, it } from 'vitest';
import { homeView } from '../../src/messages/home-view.js';
import { instanceLine, instanceLines } from '../../src/messages/instance-lines.js';
import { expectWithinBlockKitLimits } from '../support/block-limits.js';
import { HOSTILE } from '../support/hostile-text.js';
import { hasLiveHostileMarkup } from '../support/mrkdwn-texts.js';
import { judgedPaper } from '../support/sample-papers.js';

const THREAD = { channel: 'C0FAKECHAN1', ts: '1763888400.000100' };
const NOW = '2026-11-23T09:00:00.000Z';

function dashboard(title = 'A paper that runs') {
  const running = judgedPaper(0, { title, state: 'running', thread: THREAD });
  return homeView({
    counts: { accepted: 2, running: 1, succeeded: 4 },
    awaiting: [judgedPaper(1, { state: 'code_ready', thread: THREAD })],
    channel: 'C0FAKECHAN1',
    generatedAt: NOW,
    timeZone: 'Europe/Berlin',
    runsInFlight: [
      {
        paper: running,
        run: {
          runId: 'r_1',
          codeHash: 'a'.repeat(64),
          status: 'running',
          queuedAt: '2026-11-23T08:40:00.000Z',
          startedAt: '2026-11-23T08:45:30.000Z',
          instanceId: 'i-0123456789abcdef0',
        },
      },
      { paper: judgedPaper(2, { state: 'queued' }), run: undefined },
    ],
    latestThreads: [running, judgedPaper(2, { thread: THREAD })],
    spend: { todayUsd: 26.1, monthUsd: 130.25, dailyBudgetUsd: 25 },
    queues: [
      { name: 'judge', depth: { visible: 12, inFlight: 2, deadLettered: 0 } },
      { name: 'codegen', depth: { visible: 0, inFlight: 1, deadLettered: 1 } },
      { name: 'run', depth: undefined },
    ],
    instances: {
      kind: 'ok',
      statuses: [
        {
          instanceId: 'i-0123456789abcdef0',
          state: 'running',
          launchedAt: '2026-11-23T06:55:00.000Z',
          instanceType: 'trn1.2xlarge',
        },
        { instanceId: 'i-0fedcba9876543210', state: 'stopped' },
      ],
    },
  });
}

describe('homeView with the dashboard (issue 7)', () => {
  it('shows runs in flight, latest threads, spend, queues and instances (snapshot)', () => {
    const view = dashboard();
    expect(view).toMatchSnapshot();
    expectWithinBlockKitLimits(view.blocks);
  });

  it('shows a hostile title as typed', () => {
    expect(hasLiveHostileMarkup(dashboard(HOSTILE))).toBe(false);
  });

  it('names a queue it has no label for by its name', () => {
    const view = homeView({
      counts: {},
      awaiting: [],
      channel: 'C1',
      generatedAt: NOW,
      timeZone: 'UTC',
      queues: [{ name: 'search', depth: { visible: 1, inFlight: 0, deadLettered: 0 } }],
    });
    expect(JSON.stringify(view.blocks)).toContain('• search: 1 waiting · 0 in progress');
  });
});

describe('instance lines', () => {
  it('say why there is nothing to show, or each instance with its uptime (snapshot)', () => {
    const now = new Date(NOW);
    expect({
      none: instanceLines({ kind: 'none' }, now),
      unavailable: instanceLines({ kind: 'unavailable', reason: 'EC2 said <AccessDenied>' }, now),
      empty: instanceLines({ kind: 'ok', statuses: [] }, now),
      pending: instanceLine({ instanceId: 'i-1', state: 'pending' }, now),
      unknown: instanceLine({ instanceId: 'i-2', state: 'rebooting' }, now),
    }).toMatchSnapshot();
  });
});
