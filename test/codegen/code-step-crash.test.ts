import { describe, expect, it } from 'vitest';
import type { PostMessage } from '../../src/ports/chat.js';
import { getCodeStep } from '../../src/codegen/code-step-record.js';
import { postCodeStep } from '../../src/codegen/post-code-step.js';
import type { CodeVersion } from '../../src/domain/code-version.js';
import { TransientError } from '../../src/errors.js';
import type { EmbeddedCoreDeps } from '../support/embedded-core-deps.js';
import { seedCodeReadyPaper } from '../support/run-fixtures.js';
import { useRestartRig } from '../support/restart-rig.js';

/**
 * Issue 10, build item 4: a code step posted just before a crash (after `chat.postMessage`, before its ts was
 * recorded) is found in the thread by its metadata and adopted by the restarted service, never posted twice.
 */
const rig = useRestartRig();
const startService = () => rig.start();

/** The service dies right after (or right before) its next `chat.postMessage` reaches Slack. */
function dieAtPost(service: EmbeddedCoreDeps, when: 'before' | 'after'): Promise<'killed'> {
  return new Promise((resolve) => {
    const real = service.deps.chat;
    const die = (): Promise<never> => {
      resolve('killed');
      return new Promise<never>(() => {});
    };
    service.deps.chat = Object.create(real, {
      post: {
        value: async (args: PostMessage) => {
          if (when === 'before') return die();
          await real.post(args);
          return die();
        },
      },
    });
  });
}

async function setUp() {
  const first = startService();
  const root = await first.deps.chat.post({
    channel: rig.slack.identity.defaultChannel,
    text: 'root',
  });
  const thread = { channel: rig.slack.identity.defaultChannel, ts: root.ts as string };
  const paper = await seedCodeReadyPaper(first.deps, 1, { thread });
  const version = paper.codeVersions[0] as CodeVersion;
  return { first, paper, version, thread };
}

const meta = { requestedBy: 'U0APPROVER1', modelId: 'test-model' };

/** Code steps in the thread: replies with blocks (the uploaded file is not a message with blocks). */
function stepsInThread(threadTs: string) {
  return rig.slack.messages().filter((m) => m.threadTs === threadTs && m.ts !== threadTs && m.blocks);
}

describe('a crash while a code step is being posted', () => {
  it('adopts the step posted just before the kill instead of posting a second one', async () => {
    const { first, paper, version, thread } = await setUp();
    const killed = dieAtPost(first, 'after');
    await Promise.race([killed, postCodeStep(first.deps, paper, thread, version, meta)]);
    expect(stepsInThread(thread.ts)).toHaveLength(1);

    const restarted = startService();
    const record = await postCodeStep(
      { ...restarted.deps, blobs: first.deps.blobs },
      paper,
      thread,
      version,
      meta,
    );

    const steps = stepsInThread(thread.ts);
    expect(steps).toHaveLength(1);
    expect(record.ts).toBe(steps[0]?.ts);
    expect((await getCodeStep(restarted.deps.coordination, paper.id, version.version))?.ts).toBe(
      steps[0]?.ts,
    );
    expect(
      rig.slack.calls('files.uploadV2').length + rig.slack.calls('files.completeUploadExternal').length,
    ).toBe(1);
  });

  it('posts the step once when the killed attempt never reached Slack', async () => {
    const { first, paper, version, thread } = await setUp();
    const killed = dieAtPost(first, 'before');
    await Promise.race([killed, postCodeStep(first.deps, paper, thread, version, meta)]);
    expect(stepsInThread(thread.ts)).toHaveLength(0);

    const restarted = startService();
    await postCodeStep({ ...restarted.deps, blobs: first.deps.blobs }, paper, thread, version, meta);
    await postCodeStep({ ...restarted.deps, blobs: first.deps.blobs }, paper, thread, version, meta);
    expect(stepsInThread(thread.ts)).toHaveLength(1);
  });

  it('fails visibly rather than post again when the thread cannot be searched', async () => {
    const { first, paper, version, thread } = await setUp();
    const killed = dieAtPost(first, 'after');
    await Promise.race([killed, postCodeStep(first.deps, paper, thread, version, meta)]);

    const restarted = startService();
    rig.slack.failNext('conversations.replies', { body: { ok: false, error: 'missing_scope' } });
    await expect(
      postCodeStep({ ...restarted.deps, blobs: first.deps.blobs }, paper, thread, version, meta),
    ).rejects.toBeInstanceOf(TransientError);
    expect(stepsInThread(thread.ts)).toHaveLength(1);
  });
});
