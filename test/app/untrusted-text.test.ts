import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postThreads } from '../../jobs/post-threads.js';
import type { Paper } from '../../src/domain/paper.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/messages/action-ids.js';
import { MODAL_INPUT } from '../../src/messages/modal-metadata.js';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { codegenResponder, TINY_PDF } from '../support/fake-codegen-replies.js';
import { FakeOpenReview } from '../support/fake-openreview.js';
import { startLoopbackServer } from '../support/loopback-http.js';
import { generateNotes } from '../support/openreview-notes.js';
import { judgedPaper, scrapedFromFixture } from '../support/sample-papers.js';
import { mrkdwnTexts } from '../support/mrkdwn-texts.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * Issue 10, found item 10: untrusted text (a scraped title, an abstract, the judge's rationale, a `--query`, a
 * typed reason) must never reach Slack as a live mention or link, in `text` fields as much as in blocks. A paper
 * titled `<!channel> <https://evil.example|click>` goes through the real app on the protocol-level Slack fake;
 * then EVERY recorded Slack call (Web API arguments, response_url posts, socket acks) is searched.
 */
const EVIL = '<!channel> <https://evil.example|click>';
const LIVE = [/<!channel>/, /<https:\/\/evil/];
const AWS_ENV = [
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
];
const ICLR_2025 = 'ICLR.cc/2025/Conference';

let sherpa: SherpaHarness;
let bedrock: FakeBedrock;
let openreview: FakeOpenReview;
let pdf: Awaited<ReturnType<typeof startLoopbackServer>>;
let savedEnv: Record<string, string | undefined>;

beforeEach(async () => {
  savedEnv = Object.fromEntries(AWS_ENV.map((key) => [key, process.env[key]]));
  bedrock = await startFakeBedrock();
  bedrock.respondWith(codegenResponder());
  useFakeBedrockEnv(bedrock);
  pdf = await startLoopbackServer((_request, _body, response) => {
    response.writeHead(200, { 'content-type': 'application/pdf' });
    response.end(TINY_PDF);
  });
  openreview = await FakeOpenReview.start({ anonymous: 'allowed' });
  openreview.addVenue(ICLR_2025, generateNotes({ venue: 'ICLR', year: 2025, venueId: ICLR_2025, count: 3 }));
  sherpa = await startSherpa({ env: { OPENREVIEW_API_URL: openreview.url } });
});
afterEach(async () => {
  await sherpa.stop();
  await Promise.all([bedrock.close(), pdf.close(), openreview.stop()]);
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const textOf = (message: FakeMessage | undefined) =>
  JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

/** An accepted paper whose every scraped field, and the judge's reasons, carry the hostile text. */
async function hostilePaper(): Promise<Paper> {
  const scraped = scrapedFromFixture(0, {
    sourceId: '2503.66666',
    arxivId: '2503.66666',
    title: EVIL,
    abstract: `We show ${EVIL} in the abstract.`,
    authors: [EVIL, 'Ada Lovelace'],
    pdfUrl: `${pdf.baseUrl}/paper.pdf`,
    forumUrl: 'https://forum.example/a>b<!channel>|x',
  });
  const { paper } = await sherpa.deps.papers.ingest(scraped);
  const template = judgedPaper(0).verdict!;
  const accepted = await sherpa.deps.papers.transition({
    paperId: paper.id,
    from: 'scraped',
    to: 'accepted',
    actor: 'system:judge',
    patch: {
      verdict: {
        ...template,
        judgedAt: new Date().toISOString(),
        rationale: `Because ${EVIL}`,
        smallestExperiment: EVIL,
      },
    },
  });
  if (!accepted.ok) throw new Error('could not accept the paper');
  return accepted.paper;
}

/** A slash command; with `reply`, wait for its answer on the response_url (a parse error answers in the ack). */
async function ask(command: string, text: string, reply = true) {
  const sent = await sherpa.fake.sendSlashCommand(command, text, TEST_APPROVER);
  await sherpa.fake.waitForAck(sent.envelopeId);
  if (reply) await sherpa.fake.waitForCall('response_url', (c) => c.responseUrlId === sent.responseUrlId);
}

describe('untrusted text in every Slack call', () => {
  it('never sends a live <!channel> or a hostile link, in text or blocks, through any path', async () => {
    const accepted = await hostilePaper();
    // The thread root, posted by the job that opens threads.
    expect((await postThreads(sherpa.deps)).opened).toContain(accepted.id);
    const paper = (await sherpa.deps.papers.get(accepted.id)) as Paper;
    const root = sherpa.fake.messages().find((message) => message.ts === paper.thread?.ts);
    if (!root) throw new Error('no thread root');

    // Commands that echo the paper or what was typed.
    await ask('/paper', `status ${paper.id}`);
    await ask('/paper', `search "${EVIL}"`);
    await ask('/paper', 'search click');
    await ask('/paper', `search nothing-matches-this ${EVIL}`);
    await ask('/paper', 'digest');
    await ask('/paper', `status ${EVIL}`, false);
    await ask('/paper', EVIL, false);
    await ask('/scrape', EVIL, false);
    // The App Home lists the paper as waiting for a decision.
    await sherpa.fake.sendEvent({
      type: 'app_home_opened',
      user: TEST_APPROVER,
      channel: 'D0HOME0001',
      tab: 'home',
    });
    await sherpa.fake.waitForCall('views.publish');

    // A scrape whose --query carries the text: the answer, the "already running" answer and the progress message.
    const release = openreview.pauseListings();
    await ask('/scrape', `iclr 2025 --query ${EVIL}`);
    await ask('/scrape', `iclr 2025 --query ${EVIL}`);
    release();
    await sherpa.fake.waitForCall('chat.update', (c) => String(c.args.text).startsWith('Scraped ICLR 2025'), {
      timeoutMs: 15_000,
    });

    // Code generation: the "asked for code" line, the code step, the updated root.
    const generate = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    await sherpa.fake.waitForAck(generate.envelopeId);
    // The code step, found by its Reject button (with COMPUTE=none, the default here, it has no Run button).
    const step = await until('the code step', () =>
      sherpa.fake
        .messages({ threadTs: root.ts })
        .find((message) => textOf(message).includes(ACTION_IDS.rejectCode)),
    );

    // A typed reason on rejecting the code, shown on the code step.
    const reject = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.rejectCode,
      value: `${paper.id}:${(await sherpa.deps.papers.get(paper.id))?.currentCodeHash}`,
      user: TEST_APPROVER,
      message: step,
    });
    await sherpa.fake.waitForAck(reject.envelopeId);
    await sherpa.fake.waitForCall('views.open');
    const modal = sherpa.fake.views().find((view) => view.callbackId === VIEW_IDS.rejectCodeReason);
    const submit = await sherpa.fake.submitView({
      callbackId: VIEW_IDS.rejectCodeReason,
      user: TEST_APPROVER,
      view: modal,
      values: {
        [MODAL_INPUT.reason.blockId]: {
          [MODAL_INPUT.reason.actionId]: { type: 'plain_text_input', value: `Rejected: ${EVIL}` },
        },
      },
    });
    await sherpa.fake.waitForAck(submit.envelopeId);
    await until('the rejection on the code step', () =>
      textOf(sherpa.fake.messages().find((m) => m.ts === step.ts)).includes('rejected it'),
    );

    // Every call Slack received, and every ack payload, as sent: each text Slack renders as mrkdwn.
    const recorded = [
      ...sherpa.fake.calls().map((call) => ({ what: call.method, texts: mrkdwnTexts(call.args) })),
      ...sherpa.fake.acks().map((ack) => ({ what: 'ack', texts: mrkdwnTexts(ack.payload ?? {}) })),
    ];
    expect(recorded.filter(({ what }) => what === 'chat.postMessage').length).toBeGreaterThan(3);
    const live = recorded.filter(({ texts }) => texts.some((text) => LIVE.some((p) => p.test(text))));
    expect(live).toEqual([]);

    // The hostile text did reach Slack, escaped, on each path (so the absence above means something).
    const escaped = (method: string) =>
      sherpa.fake.calls(method).filter((call) => {
        const body = JSON.stringify(call.args);
        return body.includes('&lt;!channel&gt;') && body.includes('&lt;https://evil.example|click&gt;');
      });
    const shown = (method: string, field: (args: Record<string, unknown>) => unknown) =>
      escaped(method).filter((call) => String(field(call.args)).includes('&lt;!channel&gt;')).length;
    expect(shown('chat.postMessage', (args) => args.text)).toBeGreaterThanOrEqual(3); // root, scrape, code step
    expect(shown('chat.update', (args) => args.text)).toBeGreaterThanOrEqual(2); // root decision, scrape summary
    expect(shown('response_url', (args) => args.text)).toBeGreaterThanOrEqual(4); // status, searches, scrape
    expect(
      escaped('chat.update').some((call) =>
        JSON.stringify(call.args.blocks).includes('Rejected: &lt;!channel&gt;'),
      ),
    ).toBe(true);
  });
});
