import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger.js';

/** Pino JSON lines captured in memory, so a test can read exactly what Sherpa would have logged. */
export class LogCapture {
  private readonly chunks: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer | string, _encoding, done) => {
      this.chunks.push(chunk.toString());
      done();
    },
  });

  /** `secrets`: what the production logger is given from the config (`configuredSecrets`). */
  logger(level = 'info', secrets: readonly string[] = []): Logger {
    return createLogger({ level, destination: this.stream, secrets });
  }

  /** Everything logged so far, as raw text (what a secret must never appear in). */
  text(): string {
    return this.chunks.join('');
  }

  entries(): Record<string, unknown>[] {
    return this.text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Entries whose `msg` contains the text. */
  find(text: string): Record<string, unknown>[] {
    return this.entries().filter((entry) => typeof entry.msg === 'string' && entry.msg.includes(text));
  }
}
