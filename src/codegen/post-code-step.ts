import type { CodeVersion } from '../domain/code-version.js';
import type { Paper, ThreadRef } from '../domain/paper.js';
import type { CoreDeps } from '../deps.js';
import type { PostMessage } from '../ports/chat.js';
import { codeFileTitle } from '../messages/code-step.js';
import { TransientError } from '../errors.js';
import { slackRefused } from '../ports/chat-errors.js';
import { CODE_STEP_EVENT, codeStepContent, codeStepKey, type CodeStepRecord } from './code-step-record.js';

export type PostCodeStepDeps = Pick<
  CoreDeps,
  'chat' | 'coordination' | 'blobs' | 'config' | 'logger' | 'clock'
>;

/**
 * Put a code version in the paper's thread: `train.py` as a file (files.uploadV2), then the code step with
 * the plan, the checks, the first lines and the buttons bound to its hash. Each part is recorded as it
 * completes, so a retry after a crash finishes the post instead of repeating it; a message posted just before a
 * crash (before its ts was recorded) is found in the thread by its metadata and adopted (issue 10, build item 4).
 */
export async function postCodeStep(
  deps: PostCodeStepDeps,
  paper: Paper,
  thread: ThreadRef,
  version: CodeVersion,
  meta: { requestedBy: string; modelId: string; pdfWarning?: string },
): Promise<CodeStepRecord> {
  const key = codeStepKey(paper.id, version.version);
  let record: CodeStepRecord = (await deps.coordination.get<CodeStepRecord>(key))?.value ?? {
    channel: thread.channel,
    threadTs: thread.ts,
    ...meta,
  };
  const code = (await deps.blobs.getText(version.blobKey)) ?? '';
  if (!record.fileId) {
    const upload = await deps.chat.uploadFile({
      channel: record.channel,
      thread_ts: record.threadTs,
      filename: 'train.py',
      title: codeFileTitle(version),
      content: code,
      snippet_type: 'python',
    });
    const fileId = upload.fileId ?? 'uploaded';
    record = { ...record, fileId };
    await deps.coordination.put(key, record);
  }
  if (!record.ts) {
    const adopted = record.postingSince ? await findPostedStep(deps, paper, version, record) : undefined;
    if (adopted) {
      deps.logger.warn(
        { paperId: paper.id, version: version.version },
        'adopted a code step posted before a crash',
      );
      record = { ...record, ts: adopted };
    } else {
      record = { ...record, postingSince: deps.clock.now().toISOString() };
      await deps.coordination.put(key, record);
      const posted = await postStep(deps, key, record, () => ({
        channel: record.channel,
        thread_ts: record.threadTs,
        ...codeStepContent(deps.config, paper, version, code, record),
        unfurl_links: false,
        unfurl_media: false,
        metadata: {
          event_type: CODE_STEP_EVENT,
          event_payload: { paper_id: paper.id, version: version.version },
        },
      }));
      record = { ...record, ...(posted ? { ts: posted } : {}) };
    }
    await deps.coordination.put(key, record);
  }
  deps.logger.info(
    { paperId: paper.id, version: version.version, threadTs: record.threadTs },
    'code step posted',
  );
  return record;
}

/** Post, and forget the "posting" mark when Slack refused (nothing was posted, so nothing can be adopted). */
async function postStep(
  deps: PostCodeStepDeps,
  key: string,
  record: CodeStepRecord,
  message: () => PostMessage,
): Promise<string | undefined> {
  try {
    return (await deps.chat.post(message())).ts;
  } catch (error) {
    if (slackRefused(error)) {
      const { postingSince: _dropped, ...rest } = record;
      await deps.coordination.put(key, rest);
    }
    throw error;
  }
}

/** The step an interrupted attempt posted, by its metadata; fails visibly rather than risk a second one. */
async function findPostedStep(
  deps: PostCodeStepDeps,
  paper: Paper,
  version: CodeVersion,
  record: CodeStepRecord,
): Promise<string | undefined> {
  try {
    const found = await deps.chat.findByMetadata({
      channel: record.channel,
      thread_ts: record.threadTs,
      event_type: CODE_STEP_EVENT,
      matches: (payload) => payload.paper_id === paper.id && Number(payload.version) === version.version,
    });
    return found?.ts;
  } catch (error) {
    throw new TransientError(`Could not look for the interrupted code step of ${paper.id}`, {
      cause: error,
      hint: 'Sherpa needs channels:history to find a message posted just before a crash',
    });
  }
}
