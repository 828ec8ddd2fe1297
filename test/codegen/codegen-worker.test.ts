import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codegenRound, startCodegenWorker } from '../../jobs/codegen-worker.js';
import { isSkipped, noteToRecord } from '../../src/adapters/openreview/note-to-paper.js';
import { requestCodegen } from '../../src/codegen/request-codegen.js';
import { requeueStrandedCodegen } from '../../src/codegen/requeue-stranded.js';
import { codeHashOf } from '../../src/codegen/store-code-version.js';
import { pdfBlobKey } from '../../src/codegen/paper-document.js';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { openThreadFor } from '../../src/threads/open-thread.js';
import { embeddedCoreDeps, type EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import {
  accessDenied,
  maxTokens,
  startFakeBedrock,
  throttle,
  toolUse,
  type FakeBedrock,
} from '../support/fake-bedrock.js';
import { createFakeBedrockLlm } from '../support/fake-bedrock-llm.js';
import { codegenResponder, GOOD_SCRIPT, TINY_PDF, userMessageOf } from '../support/fake-codegen-replies.js';
import { startLoopbackServer } from '../support/loopback-http.js';
import { generateNotes } from '../support/openreview-notes.js';
import { GATED_ATTENTION_PDF } from '../support/pdf-fixture.js';
import { RecordingLedger } from '../support/recording-ledger.js';
import { ingestAccepted } from '../support/sample-papers.js';
import { startSlackFake, type SlackFake } from '../support/slack-fake/index.js';

const APPROVER = 'U0APPROVER1';
/** The PDF path of the first generated ICLR 2025 note (test/support/openreview-notes.ts). */
const OPENREVIEW_PDF_PATH = `/pdf/${'1'.padStart(40, '0')}.pdf`;
let slack: SlackFake;
let bedrock: FakeBedrock;
let harness: EmbeddedCoreDeps;
let ledger: RecordingLedger;
let pdfServer: Awaited<ReturnType<typeof startLoopbackServer>>;
let pdfRequests: string[];

beforeEach(async () => {
  slack = await startSlackFake();
  bedrock = await startFakeBedrock();
  ledger = new RecordingLedger();
  pdfRequests = [];
  pdfServer = await startLoopbackServer((request, _body, response) => {
    pdfRequests.push(request.url ?? '');
    if (request.url === OPENREVIEW_PDF_PATH) {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.end(GATED_ATTENTION_PDF);
    } else if (request.url === '/pdf/good.pdf') {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.end(TINY_PDF);
    } else if (request.url === '/pdf/challenge.pdf') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>Verifying your browser</html>');
    } else {
      response.writeHead(404);
      response.end('not found');
    }
  });
  const { llm } = createFakeBedrockLlm(bedrock, { ledger });
  // OPENREVIEW_WEB_URL: OpenReview PDFs are downloaded from this loopback server (issue 11, item 8).
  harness = embeddedCoreDeps(slack, {
    llm,
    env: { COMPUTE: 'local', OPENREVIEW_WEB_URL: pdfServer.baseUrl },
  });
});
afterEach(async () => {
  harness.close();
  await Promise.all([slack.close(), bedrock.close(), pdfServer.close()]);
});

function deps() {
  const { llm } = harness.deps;
  if (!llm) throw new Error('no llm');
  return { ...harness.deps, llm };
}

/** An accepted paper with a thread and a pending code request, as after a Generate code click. */
async function requested(n: number, pdfPath = '/pdf/good.pdf') {
  const paper = await ingestAccepted(harness.deps.papers, n);
  await harness.deps.papers.update(paper.id, { pdfUrl: `${pdfServer.baseUrl}${pdfPath}` });
  await openThreadFor(paper.id, harness.deps);
  const decision = await requestCodegen(harness.deps, {
    paperId: paper.id,
    from: 'accepted',
    actor: APPROVER,
  });
  if (!decision.ok) throw new Error(decision.message);
  return decision.paper;
}

describe('code generation worker', () => {
  it('plans, writes and reviews in three calls, stores the script by hash and posts the code step', async () => {
    bedrock.respondWith(codegenResponder());
    const paper = await requested(0);

    const outcome = await codegenRound(deps());

    const hash = codeHashOf(GOOD_SCRIPT);
    expect(outcome).toEqual({ kind: 'posted', paperId: paper.id, version: 1, codeHash: hash });
    expect(bedrock.requests.map((r) => r.toolName)).toEqual([
      'record_plan',
      'record_script',
      'record_review',
    ]);
    expect(new Set(bedrock.requests.map((r) => r.modelId))).toEqual(
      new Set([harness.deps.config.bedrock.codegenModelId]),
    );
    // Only the plan call carries the PDF; the later calls work from the plan.
    expect(bedrock.requests.map((r) => userMessageOf(r).hasDocument)).toEqual([true, false, false]);
    expect(ledger.recorded.map((e) => e.purpose)).toEqual(['codegen.plan', 'codegen.code', 'codegen.review']);
    expect(ledger.recorded.every((e) => e.paperId === paper.id)).toBe(true);

    expect(await harness.deps.blobs.getText(`code/${hash}.py`)).toBe(GOOD_SCRIPT);
    expect(await harness.deps.blobs.exists(pdfBlobKey(`${pdfServer.baseUrl}/pdf/good.pdf`))).toBe(true);
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored).toMatchObject({ state: 'code_ready', currentCodeHash: hash });
    expect(stored?.codeVersions).toEqual([
      expect.objectContaining({
        version: 1,
        hash,
        blobKey: `code/${hash}.py`,
        usedPdf: true,
        reason: 'First version',
      }),
    ]);
    expect(stored?.codeVersions[0]?.checks.every((check) => check.passed)).toBe(true);

    const upload = slack.uploads()[0];
    expect(upload).toMatchObject({ filename: 'train.py', completed: true });
    expect(Buffer.from(upload?.bytes ?? []).toString('utf8')).toBe(GOOD_SCRIPT);
    const complete = slack.calls('files.completeUploadExternal')[0];
    expect(complete?.args).toMatchObject({
      channel_id: stored?.thread?.channel,
      thread_ts: stored?.thread?.ts,
    });

    const step = slack.messages({ threadTs: stored?.thread?.ts }).at(-1);
    const text = JSON.stringify(step?.blocks);
    expect(text).toContain(`"value":"${paper.id}:${hash}"`);
    expect(text).toContain(ACTION_IDS.runCode);
    expect(text).toContain(ACTION_IDS.regenerateCode);
    expect(text).toContain('Idea: Gate the attention output');
    expect(text).toContain('✅ No CUDA');
    expect(text).toContain('Smallest experiment for a gated-attention');
    expect(slack.unexpectedCalls()).toEqual([]);
  });

  it('downloads an OpenReview PDF from OPENREVIEW_WEB_URL and the code step says the PDF was used', async () => {
    bedrock.respondWith(codegenResponder());
    // The link exactly as the OpenReview adapter stores it for a scraped note: on the public site.
    const [note] = generateNotes({ venue: 'ICLR', year: 2025, venueId: 'ICLR.cc/2025/Conference', count: 1 });
    const record = noteToRecord(note, { venue: 'ICLR', year: 2025, status: 'accepted' });
    if (isSkipped(record)) throw new Error(record.reason);
    expect(record.paper.pdfUrl).toBe(`https://openreview.net${OPENREVIEW_PDF_PATH}`);
    const paper = await requested(2);
    await harness.deps.papers.update(paper.id, { pdfUrl: record.paper.pdfUrl });

    const outcome = await codegenRound(deps());

    expect(outcome).toMatchObject({ kind: 'posted', paperId: paper.id });
    expect(pdfRequests).toEqual([OPENREVIEW_PDF_PATH]);
    const plan = bedrock.requests.find((request) => request.toolName === 'record_plan');
    expect(JSON.stringify(plan?.body)).toContain(GATED_ATTENTION_PDF.toString('base64'));
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored?.codeVersions[0]?.usedPdf).toBe(true);
    const step = JSON.stringify(slack.messages({ threadTs: stored?.thread?.ts }).at(-1)?.blocks);
    expect(step).toContain("Written from the paper's PDF");
    expect(step).not.toContain('abstract only');
  });

  it('falls back to the abstract with a visible warning when the PDF cannot be fetched', async () => {
    bedrock.respondWith(codegenResponder());
    const paper = await requested(1, '/pdf/missing.pdf');

    await codegenRound(deps());

    const plan = userMessageOf(bedrock.requests[0]);
    expect(plan.hasDocument).toBe(false);
    expect(plan.text).toContain('Only the abstract is available');
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored?.codeVersions[0]?.usedPdf).toBe(false);
    const step = JSON.stringify(slack.messages({ threadTs: stored?.thread?.ts }).at(-1)?.blocks);
    expect(step).toMatch(/⚠️ The PDF could not be used: .*HTTP 404.*abstract only/);
  });

  it('does not mistake an HTML challenge page for the PDF', async () => {
    bedrock.respondWith(codegenResponder());
    const paper = await requested(2, '/pdf/challenge.pdf');
    await codegenRound(deps());
    const step = JSON.stringify(
      slack.messages({ threadTs: (await harness.deps.papers.get(paper.id))?.thread?.ts }),
    );
    expect(step).toContain('did not return a PDF');
  });

  it('refuses code that fails the checks even after review, with Retry in the thread', async () => {
    const forbidden = GOOD_SCRIPT.replace('import time\n', 'import time\nimport subprocess\n').replace(
      'torch.manual_seed(0)',
      'subprocess.run(["nvidia-smi"])\n    torch.manual_seed(0)',
    );
    bedrock.respondWith(codegenResponder({ code: toolUse({ code: forbidden, notes: '' }) }));
    const paper = await requested(3);

    const outcome = await codegenRound(deps());

    expect(outcome?.kind).toBe('failed');
    // The review saw what the checks found.
    expect(userMessageOf(bedrock.requests[2]).text).toMatch(
      /imports subprocess, which runs other programs \[process\]/,
    );
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored).toMatchObject({ state: 'code_failed', codeVersions: [] });
    expect(stored?.lastNote).toMatch(/No subprocess, shell or dynamic code/);
    expect(slack.uploads()).toEqual([]);
    const failure = slack.messages({ threadTs: stored?.thread?.ts }).at(-1);
    expect(JSON.stringify(failure?.blocks)).toContain(`"value":"${paper.id}:codegen"`);
  });

  it('posts the reviewed script when the self-review fixes what the checks found', async () => {
    const withCuda = GOOD_SCRIPT.replace('TinyLM().to(device)', 'TinyLM().cuda()');
    bedrock.respondWith(
      codegenResponder({
        code: toolUse({ code: withCuda, notes: '' }),
        review: toolUse({ verdict: 'revised', issues: ['.cuda() replaced'], code: GOOD_SCRIPT }),
      }),
    );
    const paper = await requested(4);
    const outcome = await codegenRound(deps());
    expect(outcome).toMatchObject({ kind: 'posted', codeHash: codeHashOf(GOOD_SCRIPT) });
    expect((await harness.deps.papers.get(paper.id))?.state).toBe('code_ready');
  });

  it('reports a truncated reply with Retry, and Retry-able state', async () => {
    bedrock.respondWith(codegenResponder({ code: maxTokens({ code: 'import torch\n' }) }));
    const paper = await requested(5);
    const outcome = await codegenRound(deps());
    expect(outcome?.kind).toBe('failed');
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored?.state).toBe('code_failed');
    expect(stored?.lastNote).toMatch(/cut off at 16000 output tokens/);
  });

  it('names the model and how to enable it when Bedrock refuses access', async () => {
    bedrock.respondWith(() => accessDenied());
    const paper = await requested(6);
    await codegenRound(deps());
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored?.state).toBe('code_failed');
    const failure = JSON.stringify(slack.messages({ threadTs: stored?.thread?.ts }).at(-1)?.blocks);
    expect(failure).toContain(harness.deps.config.bedrock.codegenModelId);
    expect(failure).toContain('Model access');
  });

  it('releases a throttled job for later, then reports it after the last attempt', async () => {
    bedrock.respondWith(() => throttle());
    const paper = await requested(7);
    const first = await codegenRound(deps(), { retryDelaySeconds: 0 });
    expect(first?.kind).toBe('retry');
    expect((await harness.deps.papers.get(paper.id))?.state).toBe('code_requested');
    expect((await harness.deps.queues.codegen.depth()).visible).toBe(1);
    await codegenRound(deps(), { retryDelaySeconds: 0 });
    const third = await codegenRound(deps(), { retryDelaySeconds: 0 });
    expect(third?.kind).toBe('failed');
    expect((await harness.deps.queues.codegen.depth()).visible).toBe(0);
  });

  it('regenerates with feedback as version 2, showing Claude the feedback and the previous code', async () => {
    bedrock.respondWith(codegenResponder());
    const paper = await requested(8);
    await codegenRound(deps());
    const v2Script = GOOD_SCRIPT.replace(
      'DIM, BATCH, STEPS = 128, 1024, 256, 8, 200',
      'DIM, BATCH, STEPS = 128, 1024, 512, 8, 300',
    );
    bedrock.respondWith(codegenResponder({ code: toolUse({ code: v2Script, notes: 'wider' }) }));
    const regenerate = await requestCodegen(harness.deps, {
      paperId: paper.id,
      from: 'code_ready',
      actor: APPROVER,
      feedback: 'Use width 512 and train 300 steps.',
    });
    expect(regenerate.ok).toBe(true);

    const outcome = await codegenRound(deps());

    expect(outcome).toMatchObject({ kind: 'posted', version: 2, codeHash: codeHashOf(v2Script) });
    const plan = userMessageOf(bedrock.requests[3]).text;
    expect(plan).toContain('Use width 512 and train 300 steps.');
    expect(plan).toContain('The previous version (v1) of train.py');
    const stored = await harness.deps.papers.get(paper.id);
    expect(stored?.codeVersions.map((v) => [v.version, v.reason])).toEqual([
      [1, 'First version'],
      [2, 'Feedback: Use width 512 and train 300 steps.'],
    ]);
    expect(stored?.currentCodeHash).toBe(codeHashOf(v2Script));
    // The PDF came from the blob cache the second time.
    expect(pdfRequests).toHaveLength(1);
  });
});

describe('the codegen consumer', () => {
  it('long-polls 20 s for its two slots instead of short-polling (issue 11: 608 receives in 5 idle minutes)', async () => {
    bedrock.respondWith(codegenResponder());
    const queue = harness.deps.queues.codegen;
    const asked: Array<{ max: number; waitSeconds?: number }> = [];
    const receive = queue.receive.bind(queue);
    queue.receive = async (options) => {
      asked.push({
        max: options.max,
        ...(options.waitSeconds !== undefined ? { waitSeconds: options.waitSeconds } : {}),
      });
      return receive(options);
    };
    const paper = await requested(9);
    const worker = startCodegenWorker(deps());
    for (let i = 0; i < 1000 && (await harness.deps.papers.get(paper.id))?.state !== 'code_ready'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await worker.stop();
    expect((await harness.deps.papers.get(paper.id))?.state).toBe('code_ready');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((options) => options.waitSeconds === 20 && options.max <= 2)).toBe(true);
  });
});

describe('requeueStrandedCodegen', () => {
  it('re-sends a request whose job never reached the queue, once', async () => {
    const paper = await ingestAccepted(harness.deps.papers, 9);
    // A crash between the transition and the send.
    await harness.deps.papers.transition({
      paperId: paper.id,
      from: 'accepted',
      to: 'code_requested',
      actor: APPROVER,
    });

    expect(await requeueStrandedCodegen(harness.deps)).toBe(1);
    expect(await requeueStrandedCodegen(harness.deps)).toBe(0);
    const [message] = await harness.deps.queues.codegen.receive({ max: 5, visibilitySeconds: 30 });
    expect(message?.body).toEqual({ paperId: paper.id, requestedBy: APPROVER });
  });
});
