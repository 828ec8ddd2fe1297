import type { Paper } from '../domain/paper.js';
import type { RunRecord } from '../domain/run-record.js';
import type { Logger } from '../logging/logger.js';
import type { Chat, MessageMetadata } from '../ports/chat.js';
import type { MessageContent } from '../messages/message-content.js';
import { runHeldMessage, type RunHeldView } from '../messages/run-held.js';
import { runProgressMessage, type RunStage } from '../messages/run-progress.js';
import {
  lossCurveFile,
  runResultMessage,
  runResultPlainMessage,
  type RunResultView,
} from '../messages/run-result.js';
import { classifySlackError } from '../ports/chat-errors.js';
import type { RunMessageKind, RunReporter } from './run-reporter.js';

export interface SlackRunReporterDeps {
  chat: Chat;
  /** Where a paper without a thread (and channel notices) go. */
  channel: string;
  logger: Logger;
}

/** Metadata event types of a run's two messages; the payload names the run, so a later worker finds them. */
export const RUN_MESSAGE_EVENTS: Record<RunMessageKind, string> = {
  progress: 'sherpa_run_progress',
  result: 'sherpa_run_result',
};

function metadataOf(kind: RunMessageKind, paper: Paper, runId: string): MessageMetadata {
  return { event_type: RUN_MESSAGE_EVENTS[kind], event_payload: { run_id: runId, paper_id: paper.id } };
}

/** Runs in Slack: one progress message per run, updated in place, then the result as a new reply. */
export class SlackRunReporter implements RunReporter {
  constructor(private readonly deps: SlackRunReporterDeps) {}

  private where(paper: Paper): { channel: string; thread_ts?: string } {
    return paper.thread
      ? { channel: paper.thread.channel, thread_ts: paper.thread.ts }
      : { channel: this.deps.channel };
  }

  private async post(
    paper: Paper,
    content: Omit<MessageContent, 'blocks'> & {
      blocks?: MessageContent['blocks'];
      metadata?: MessageMetadata;
    },
    broadcast = false,
  ): Promise<string | undefined> {
    const where = this.where(paper);
    const common = { channel: where.channel, ...content, unfurl_links: false, unfurl_media: false };
    const reply = where.thread_ts
      ? await this.deps.chat.post({ ...common, thread_ts: where.thread_ts, reply_broadcast: broadcast })
      : await this.deps.chat.post(common);
    return reply.ts;
  }

  async findPosted(paper: Paper, runId: string, kind: RunMessageKind): Promise<string | undefined> {
    const where = this.where(paper);
    try {
      const found = await this.deps.chat.findByMetadata({
        ...where,
        event_type: RUN_MESSAGE_EVENTS[kind],
        matches: (payload) => payload.run_id === runId,
      });
      return found?.ts;
    } catch (error) {
      throw classifySlackError(error, `looking up the ${kind} message`);
    }
  }

  async progress(paper: Paper, run: RunRecord, stage: RunStage): Promise<string | undefined> {
    const content = runProgressMessage({
      runId: run.runId,
      codeHash: run.codeHash,
      requestedBy: run.requestedBy ?? 'unknown',
      stage,
      ...(run.pool && run.market ? { placement: { pool: run.pool, market: run.market } } : {}),
      ...(run.story?.length ? { story: run.story } : {}),
    });
    try {
      // A progress message posted just before a crash (its ts never recorded) is adopted, not posted again.
      const ts = run.progressTs ?? (await this.findProgress(paper, run.runId));
      if (ts) {
        await this.deps.chat.update({ channel: this.where(paper).channel, ts, ...content });
        return ts;
      }
      return await this.post(paper, { ...content, metadata: metadataOf('progress', paper, run.runId) });
    } catch (error) {
      this.deps.logger.warn(
        { err: error, paperId: paper.id, runId: run.runId },
        'progress message not posted',
      );
      return run.progressTs;
    }
  }

  /** A lookup that fails only costs a possible second progress message; never showing progress costs more. */
  private async findProgress(paper: Paper, runId: string): Promise<string | undefined> {
    try {
      return await this.findPosted(paper, runId, 'progress');
    } catch (error) {
      this.deps.logger.warn(
        { err: error, paperId: paper.id, runId },
        'could not look for a progress message',
      );
      return undefined;
    }
  }

  async held(paper: Paper, view: RunHeldView): Promise<void> {
    await this.post(paper, runHeldMessage(view));
  }

  async finished(
    paper: Paper,
    view: RunResultView,
    plot?: { png: Buffer; title: string },
  ): Promise<string | undefined> {
    let ts: string | undefined;
    try {
      // The outcome is the one reply worth showing in the channel too (slack.md §5.8).
      const content = { ...runResultMessage(view), metadata: metadataOf('result', paper, view.runId) };
      ts = await this.post(paper, content, true);
    } catch (error) {
      throw classifySlackError(error, 'posting the run result');
    }
    if (plot) await this.uploadPlot(paper, view, plot);
    return ts;
  }

  async finishedPlain(paper: Paper, view: RunResultView): Promise<string | undefined> {
    const { text } = runResultPlainMessage(view);
    try {
      return await this.post(paper, { text, metadata: metadataOf('result', paper, view.runId) }, true);
    } catch (error) {
      throw classifySlackError(error, 'posting the plain run result');
    }
  }

  private async uploadPlot(paper: Paper, view: RunResultView, plot: { png: Buffer; title: string }) {
    const where = this.where(paper);
    try {
      const file = lossCurveFile(view.runId, plot.title);
      await this.deps.chat.uploadFile({
        ...where,
        content: plot.png,
        filename: file.filename,
        title: file.title,
        alt_text: file.altText,
      });
    } catch (error) {
      this.deps.logger.warn({ err: error, paperId: paper.id, runId: view.runId }, 'loss curve not uploaded');
    }
  }

  async notify(text: string): Promise<void> {
    await this.deps.chat.post({ channel: this.deps.channel, text, unfurl_links: false });
  }
}
