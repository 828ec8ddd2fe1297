import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { createLineScrubber, type LineScrubber } from './scrub-line.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  level?: string;
  /** `pretty` for people at a terminal, `json` for production and tests. */
  format?: 'json' | 'pretty';
  /** Tests pass a destination stream to capture lines. */
  destination?: NodeJS.WritableStream;
  /** Configured secrets (see `configuredSecrets`), removed from every line wherever they appear. */
  secrets?: readonly string[];
}

/** Where lines go: a test's stream, pino-pretty, or the SonicBoom on stdout. */
interface Target {
  write(line: string): unknown;
  flush?: (cb?: (err?: Error) => unknown) => void;
  flushSync?: () => void;
}

/**
 * Every line passes through the scrubber on its way out, after pino has serialized it whole (error causes
 * joined, nested objects flattened): the one place no secret can slip past. It is a plain synchronous
 * `write`, a few regex scans of a few hundred bytes, so it costs microseconds per line.
 */
export function scrubbingDestination(target: Target, scrub: LineScrubber): DestinationStream {
  const destination: DestinationStream & Pick<Target, 'flush' | 'flushSync'> = {
    write: (line: string) => void target.write(scrub(line)),
  };
  if (target.flush) destination.flush = (cb) => target.flush?.(cb);
  if (target.flushSync) destination.flushSync = () => target.flushSync?.();
  return destination;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: { app: 'sherpa' },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  const target: Target =
    options.destination ??
    (options.format === 'pretty'
      ? // In-process rather than a transport worker, so the scrubbed line is what gets prettified.
        pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss' })
      : pino.destination(1));
  return pino(loggerOptions, scrubbingDestination(target, createLineScrubber(options.secrets)));
}

/** Child loggers carry the ids that tie a line to a paper, a run and a Slack thread. */
export function paperLogger(
  logger: Logger,
  ids: { paperId?: string; runId?: string; threadTs?: string },
): Logger {
  const bindings: Record<string, string> = {};
  if (ids.paperId) bindings.paperId = ids.paperId;
  if (ids.runId) bindings.runId = ids.runId;
  if (ids.threadTs) bindings.threadTs = ids.threadTs;
  return logger.child(bindings);
}
