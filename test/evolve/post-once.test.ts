import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSherpaDatabase,
  SqliteCoordinationStore,
  type SherpaDatabase,
} from '../../src/adapters/embedded/index.js';
import { EVOLVE_POST_EVENT, postOnce, type PostedRecord } from '../../src/evolve/post-once.js';
import { createLogger } from '../../src/logging/logger.js';
import { ChatError, type Chat, type PostMessage } from '../../src/ports/chat.js';
import { VirtualClock } from '../support/virtual-clock.js';

/**
 * Evolve's thread posts (the plan, the confirm and stop lines) are made once per key: recorded before and after
 * the call, found by their metadata after a crash in between, and taken over only once their poster is gone.
 */
class RecordingChat {
  posts: PostMessage[] = [];
  refuseNext = false;
  private n = 0;
  async post(message: PostMessage) {
    if (this.refuseNext) {
      this.refuseNext = false;
      throw new ChatError('Slack refused: invalid_blocks', {
        code: 'invalid_blocks',
        retryable: false,
        refused: true,
      });
    }
    this.posts.push(message);
    this.n += 1;
    return { channel: message.channel, ts: `1764900000.00${this.n}` };
  }
  async findByMetadata(query: {
    matches: (payload: Record<string, unknown>) => boolean;
    event_type: string;
  }) {
    const index = this.posts.findLastIndex(
      (post) => post.metadata?.event_type === query.event_type && query.matches(post.metadata.event_payload),
    );
    return index < 0 ? undefined : { channel: 'C1', ts: `1764900000.00${index + 1}` };
  }
}

let database: SherpaDatabase;
let clock: VirtualClock;
let chat: RecordingChat;
let deps: Parameters<typeof postOnce>[0];
const where = { channel: 'C0FAKECHAN1', threadTs: '1764900000.000100' };
const message = () => ({ text: 'the plan', blocks: [] });

beforeEach(() => {
  database = openSherpaDatabase({ dataDir: ':memory:' });
  clock = new VirtualClock('2026-12-05T09:00:00.000Z');
  chat = new RecordingChat();
  deps = {
    chat: chat as unknown as Chat,
    coordination: new SqliteCoordinationStore(database, { clock }),
    clock,
    logger: createLogger({ level: 'silent' }),
  };
});
afterEach(() => database.close());

describe('postOnce', () => {
  it('posts once with its key as metadata; the second call gets the same ts and posts nothing', async () => {
    const first = await postOnce(deps, 'evolve/s_1/plan', where, { usd: 1 }, message);
    const second = await postOnce(deps, 'evolve/s_1/plan', where, { usd: 2 }, message);
    expect(first).toMatchObject({ posted: true, data: { usd: 1 } });
    expect(second).toEqual({ ts: first.ts, posted: false, data: { usd: 1 } });
    expect(chat.posts).toHaveLength(1);
    expect(chat.posts[0]).toMatchObject({
      thread_ts: where.threadTs,
      metadata: { event_type: EVOLVE_POST_EVENT, event_payload: { key: 'evolve/s_1/plan' } },
    });
  });

  it('adopts a post made just before a crash instead of posting it again', async () => {
    await postOnce(deps, 'evolve/s_1/plan', where, {}, message);
    // The crash: the ts was never recorded.
    await deps.coordination.put<PostedRecord<object>>('evolve/s_1/plan', {
      data: {},
      postingSince: clock.now().toISOString(),
    });
    const again = await postOnce(deps, 'evolve/s_1/plan', where, {}, message);
    expect(again).toMatchObject({ ts: '1764900000.001', posted: false });
    expect(chat.posts).toHaveLength(1);
  });

  it('leaves a post under way to its poster, and takes over one whose poster died before posting', async () => {
    await deps.coordination.put('evolve/s_1/line/stop', {
      data: {},
      postingSince: clock.now().toISOString(),
    });
    expect(await postOnce(deps, 'evolve/s_1/line/stop', where, {}, message)).toEqual({
      posted: false,
      data: {},
    });
    expect(chat.posts).toHaveLength(0);
    clock.advance(61_000);
    expect(await postOnce(deps, 'evolve/s_1/line/stop', where, {}, message)).toMatchObject({ posted: true });
    expect(chat.posts).toHaveLength(1);
  });

  it('forgets its claim when Slack refused the post, so the next try posts', async () => {
    chat.refuseNext = true;
    await expect(postOnce(deps, 'evolve/s_1/plan', where, {}, message)).rejects.toThrow();
    expect(await deps.coordination.get('evolve/s_1/plan')).toBeUndefined();
    expect(await postOnce(deps, 'evolve/s_1/plan', where, {}, message)).toMatchObject({ posted: true });
  });
});
