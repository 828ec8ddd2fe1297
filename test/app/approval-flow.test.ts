import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postThreads } from '../../jobs/post-threads.js';
import { codeHashOf } from '../../src/codegen/store-code-version.js';
import type { Paper } from '../../src/domain/paper.js';
import { ACTION_IDS, VIEW_IDS } from '../../src/messages/action-ids.js';
import { RUNS_OFF_TEXT } from '../../src/messages/code-step.js';
import { MODAL_INPUT } from '../../src/messages/modal-metadata.js';
import { startFakeBedrock, toolUse, type FakeBedrock } from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { codegenResponder, GOOD_SCRIPT, TINY_PDF } from '../support/fake-codegen-replies.js';
import { startLoopbackServer } from '../support/loopback-http.js';
import { ingestAccepted } from '../support/sample-papers.js';
import type { FakeMessage } from '../support/slack-fake/index.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * The approval flow end to end: the real app (bootSherpa) on the Slack fake, the real Bedrock adapter on the
 * loopback Converse fake, the embedded stores, and the codegen worker that boot starts.
 */
const AWS_ENV = [
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_PROFILE',
];
const NON_APPROVER = 'U0FAKEUSER1';

let sherpa: SherpaHarness;
let bedrock: FakeBedrock;
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
  sherpa = await startSherpa({ env: { APPROVERS: `${TEST_APPROVER},S0APPROVERS` } });
});
afterEach(async () => {
  await sherpa.stop();
  await Promise.all([bedrock.close(), pdf.close()]);
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const textOf = (message: FakeMessage | undefined) =>
  JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

/** A judged, accepted paper whose thread the poster opened: the start of every flow here. */
async function threadedPaper(n = 0): Promise<{ paper: Paper; root: FakeMessage }> {
  const accepted = await ingestAccepted(sherpa.deps.papers, n, {}, new Date().toISOString());
  await sherpa.deps.papers.update(accepted.id, { pdfUrl: `${pdf.baseUrl}/paper.pdf` });
  const report = await postThreads(sherpa.deps);
  expect(report.opened).toContain(accepted.id);
  const paper = (await sherpa.deps.papers.get(accepted.id)) as Paper;
  const root = sherpa.fake.messages().find((message) => message.ts === paper.thread?.ts);
  if (!root) throw new Error('no root message');
  return { paper, root };
}

async function codeStepOf(paper: Paper, version: number): Promise<FakeMessage> {
  return until(`code step v${version}`, () =>
    sherpa.fake
      .messages({ threadTs: paper.thread?.ts })
      .find((message) => textOf(message).includes(`Code v${version}*`)),
  );
}

describe('approval threads, end to end', () => {
  it('takes a judged paper from its thread root to a checked train.py; with COMPUTE=none it offers no run', async () => {
    const { paper, root } = await threadedPaper();
    expect(textOf(root)).toContain(ACTION_IDS.generateCode);
    expect(textOf(root)).toContain(ACTION_IDS.rejectPaper);

    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    expect((await sherpa.fake.waitForAck(click.envelopeId)).latencyMs).toBeLessThan(3000);

    const step = await codeStepOf(paper, 1);
    const hash = codeHashOf(GOOD_SCRIPT);
    // This deployment has no compute (the default): no Run button, and the step says how to turn runs on.
    expect(sherpa.config.compute.kind).toBe('none');
    expect(textOf(step)).not.toContain(ACTION_IDS.runCode);
    expect(textOf(step)).toContain(RUNS_OFF_TEXT);
    expect(textOf(step)).toContain(`"value":"${paper.id}:${hash}"`);
    expect(textOf(step)).toContain(ACTION_IDS.regenerateCode);
    expect(textOf(step)).toContain("Written from the paper's PDF");
    const upload = sherpa.fake.uploads().find((file) => file.filename === 'train.py');
    expect(Buffer.from(upload?.bytes ?? []).toString('utf8')).toBe(GOOD_SCRIPT);

    // The root now says who asked for code, and has no buttons left.
    const updatedRoot = sherpa.fake.messages().find((message) => message.ts === root.ts);
    expect(textOf(updatedRoot)).toContain(`<@${TEST_APPROVER}> asked for code`);
    expect(textOf(updatedRoot)).not.toContain(ACTION_IDS.generateCode);
    expect(
      sherpa.fake.messages({ threadTs: root.ts }).some((m) => textOf(m).includes('asked for code. Claude')),
    ).toBe(true);
    expect(await sherpa.deps.papers.get(paper.id)).toMatchObject({
      state: 'code_ready',
      currentCodeHash: hash,
    });
    expect(bedrock.requests.map((request) => request.toolName)).toEqual([
      'record_plan',
      'record_script',
      'record_review',
    ]);
    expect(sherpa.fake.unexpectedCalls()).toEqual([]);
  });

  it('answers a non-approver with an ephemeral refusal and changes nothing', async () => {
    const { paper, root } = await threadedPaper(1);
    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: NON_APPROVER,
      message: root,
    });
    await sherpa.fake.waitForAck(click.envelopeId);
    const refusal = await sherpa.fake.waitForCall(
      'chat.postEphemeral',
      (call) => call.args.user === NON_APPROVER,
    );
    expect(refusal.args.text).toMatch(/Only approvers can ask for code/);
    expect(refusal.args.thread_ts).toBe(root.ts);

    expect(await sherpa.deps.papers.get(paper.id)).toMatchObject({ state: 'accepted' });
    expect(await sherpa.deps.queues.codegen.depth()).toMatchObject({ visible: 0, inFlight: 0 });
    expect(sherpa.fake.calls('chat.update')).toEqual([]);
    expect(bedrock.requests).toEqual([]);
  });

  it('lets a member of an approver user group decide', async () => {
    sherpa.fake.addUserGroup('S0APPROVERS', ['U0GROUPMEMBER']);
    const { paper, root } = await threadedPaper(2);
    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: 'U0GROUPMEMBER',
      message: root,
    });
    await sherpa.fake.waitForAck(click.envelopeId);
    await codeStepOf(paper, 1);
    expect(sherpa.fake.calls('usergroups.users.list')[0]?.args).toMatchObject({ usergroup: 'S0APPROVERS' });
  });

  it('tells a group member, ephemerally, that the approver list could not be checked when Slack fails', async () => {
    sherpa.fake.addUserGroup('S0APPROVERS', ['U0GROUPMEMBER']);
    sherpa.fake.failNext('usergroups.users.list', { body: { ok: false, error: 'internal_error' } });
    const { paper, root } = await threadedPaper(4);
    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: 'U0GROUPMEMBER',
      message: root,
    });
    await sherpa.fake.waitForAck(click.envelopeId);
    const told = await sherpa.fake.waitForCall(
      'chat.postEphemeral',
      (call) => call.args.user === 'U0GROUPMEMBER',
    );
    expect(told.args.text).toMatch(/could not check the approver list/);
    expect(told.args.text).not.toMatch(/Only approvers/);
    expect(await sherpa.deps.papers.get(paper.id)).toMatchObject({ state: 'accepted' });
    expect(bedrock.requests).toEqual([]);
  });

  it('turns 50 concurrent clicks on one button into exactly one code generation', async () => {
    const { paper, root } = await threadedPaper(3);
    const clicks = await Promise.all(
      Array.from({ length: 50 }, () =>
        sherpa.fake.clickButton({
          actionId: ACTION_IDS.generateCode,
          value: paper.id,
          user: TEST_APPROVER,
          message: root,
        }),
      ),
    );
    await Promise.all(clicks.map((click) => sherpa.fake.waitForAck(click.envelopeId)));
    await codeStepOf(paper, 1);
    const losers = await until('49 answers to the losing clicks', () => {
      const calls = sherpa.fake.calls('chat.postEphemeral');
      return calls.length >= 49 && calls;
    });

    expect(losers).toHaveLength(49);
    for (const loser of losers)
      expect(loser.args.text).toMatch(
        new RegExp(`already decided. <@${TEST_APPROVER}> asked for code on <!date\\^`),
      );
    expect(bedrock.requests.filter((request) => request.toolName === 'record_plan')).toHaveLength(1);
    expect(sherpa.fake.uploads()).toHaveLength(1);
    const stored = await sherpa.deps.papers.get(paper.id);
    expect(stored?.codeVersions).toHaveLength(1);
    expect(
      (await sherpa.deps.papers.audit(paper.id)).filter((entry) => entry.to === 'code_requested'),
    ).toHaveLength(1);
  });

  it('rejects a paper through the reason modal and shows who, when and why on the root', async () => {
    const { paper, root } = await threadedPaper(4);
    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.rejectPaper,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    await sherpa.fake.waitForAck(click.envelopeId);
    await sherpa.fake.waitForCall('views.open');
    const modal = sherpa.fake.views().find((view) => view.callbackId === VIEW_IDS.rejectReason);
    expect(modal).toBeDefined();

    const submit = await sherpa.fake.submitView({
      callbackId: VIEW_IDS.rejectReason,
      user: TEST_APPROVER,
      view: modal,
      values: {
        [MODAL_INPUT.reason.blockId]: {
          [MODAL_INPUT.reason.actionId]: { type: 'plain_text_input', value: 'Out of scope for us.' },
        },
      },
    });
    expect((await sherpa.fake.waitForAck(submit.envelopeId)).payload).toEqual({});

    const updated = await until('the root to show the rejection', () => {
      const message = sherpa.fake.messages().find((m) => m.ts === root.ts);
      return textOf(message).includes('rejected it') && message;
    });
    expect(textOf(updated)).toContain(`<@${TEST_APPROVER}> rejected it on <!date^`);
    expect(textOf(updated)).toContain('Out of scope for us.');
    expect(textOf(updated)).not.toContain(ACTION_IDS.generateCode);
    expect(await sherpa.deps.papers.get(paper.id)).toMatchObject({
      state: 'rejected',
      lastNote: 'Out of scope for us.',
    });
    expect((await sherpa.deps.papers.audit(paper.id)).at(-1)).toMatchObject({
      actor: TEST_APPROVER,
      to: 'rejected',
      note: 'Out of scope for us.',
    });

    // A second approver who clicks Generate code afterwards learns who decided.
    const late = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    await sherpa.fake.waitForAck(late.envelopeId);
    const told = await sherpa.fake.waitForCall('chat.postEphemeral');
    expect(told.args.text).toMatch(/already decided. <@U0APPROVER1> rejected it/);
  });

  it('regenerates with feedback from the modal as version 2, retiring the buttons of version 1', async () => {
    const { paper, root } = await threadedPaper(5);
    await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    const v1 = await codeStepOf(paper, 1);
    const wider = GOOD_SCRIPT.replace(
      'DIM, BATCH, STEPS = 128, 1024, 256, 8, 200',
      'DIM, BATCH, STEPS = 128, 1024, 512, 8, 200',
    );
    bedrock.respondWith(codegenResponder({ code: toolUse({ code: wider, notes: 'wider' }) }));

    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.regenerateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: v1,
    });
    await sherpa.fake.waitForAck(click.envelopeId);
    await sherpa.fake.waitForCall('views.open');
    const modal = sherpa.fake.views().find((view) => view.callbackId === VIEW_IDS.regenerateFeedback);
    const empty = await sherpa.fake.submitView({
      callbackId: VIEW_IDS.regenerateFeedback,
      user: TEST_APPROVER,
      view: modal,
      values: {},
    });
    expect((await sherpa.fake.waitForAck(empty.envelopeId)).payload).toMatchObject({
      response_action: 'errors',
    });
    const submit = await sherpa.fake.submitView({
      callbackId: VIEW_IDS.regenerateFeedback,
      user: TEST_APPROVER,
      view: modal,
      values: {
        [MODAL_INPUT.feedback.blockId]: {
          [MODAL_INPUT.feedback.actionId]: { type: 'plain_text_input', value: 'Use width 512.' },
        },
      },
    });
    await sherpa.fake.waitForAck(submit.envelopeId);

    const v2 = await codeStepOf(paper, 2);
    expect(textOf(v2)).toContain(`"value":"${paper.id}:${codeHashOf(wider)}"`);
    expect(textOf(v2)).toContain('Use width 512.');
    const retired = sherpa.fake.messages().find((message) => message.ts === v1.ts);
    expect(textOf(retired)).not.toContain(ACTION_IDS.runCode);
    expect(textOf(retired)).toContain(`<@${TEST_APPROVER}> asked for code`);
    const stored = await sherpa.deps.papers.get(paper.id);
    expect(stored?.codeVersions.map((version) => version.version)).toEqual([1, 2]);
    expect(stored?.currentCodeHash).toBe(codeHashOf(wider));
    expect(sherpa.fake.uploads()).toHaveLength(2);
  });

  it('reports forbidden code with Retry, and Retry brings a checked version', async () => {
    const forbidden = GOOD_SCRIPT.replace('import time\n', 'import time\nimport subprocess\n');
    bedrock.respondWith(codegenResponder({ code: toolUse({ code: forbidden, notes: '' }) }));
    const { paper, root } = await threadedPaper(6);
    await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    const failure = await until('the failure message', () =>
      sherpa.fake
        .messages({ threadTs: root.ts })
        .find((message) => textOf(message).includes(ACTION_IDS.retryStep)),
    );
    expect(textOf(failure)).toContain('No subprocess, shell or dynamic code');
    expect(sherpa.fake.uploads()).toEqual([]);
    expect((await sherpa.deps.papers.get(paper.id))?.state).toBe('code_failed');

    bedrock.respondWith(codegenResponder());
    const retry = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.retryStep,
      value: `${paper.id}:codegen`,
      user: TEST_APPROVER,
      message: failure,
    });
    await sherpa.fake.waitForAck(retry.envelopeId);
    await codeStepOf(paper, 1);
    const retired = sherpa.fake.messages().find((message) => message.ts === failure.ts);
    expect(textOf(retired)).not.toContain(ACTION_IDS.retryStep);
    expect(textOf(retired)).toContain(`<@${TEST_APPROVER}> asked for code`);
  });

  it('rejects a code version through its modal, bound to the hash shown', async () => {
    const { paper, root } = await threadedPaper(7);
    await sherpa.fake.clickButton({
      actionId: ACTION_IDS.generateCode,
      value: paper.id,
      user: TEST_APPROVER,
      message: root,
    });
    const step = await codeStepOf(paper, 1);
    const hash = codeHashOf(GOOD_SCRIPT);
    const click = await sherpa.fake.clickButton({
      actionId: ACTION_IDS.rejectCode,
      value: `${paper.id}:${hash}`,
      user: TEST_APPROVER,
      message: step,
    });
    await sherpa.fake.waitForAck(click.envelopeId);
    await sherpa.fake.waitForCall('views.open');
    const modal = sherpa.fake.views().find((view) => view.callbackId === VIEW_IDS.rejectCodeReason);
    const submit = await sherpa.fake.submitView({
      callbackId: VIEW_IDS.rejectCodeReason,
      user: TEST_APPROVER,
      view: modal,
      values: {},
    });
    await sherpa.fake.waitForAck(submit.envelopeId);

    const updated = await until('the code step to show the rejection', () => {
      const message = sherpa.fake.messages().find((m) => m.ts === step.ts);
      return textOf(message).includes('rejected it') && message;
    });
    expect(textOf(updated)).not.toContain(ACTION_IDS.runCode);
    expect((await sherpa.deps.papers.audit(paper.id)).at(-1)).toMatchObject({
      to: 'rejected',
      artifactHash: hash,
      actor: TEST_APPROVER,
    });
  });
});
