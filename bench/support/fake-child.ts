/**
 * A fake server in a child process of its own (the benchmark times Sherpa's process, not the fake's), driven over
 * IPC: the module forks itself with `--child` under tsx, and the parent waits for typed replies.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FakeChild<Reply> {
  child: ChildProcess;
  /** The next reply that `accept` takes (others are left to their own waiters); rejects if the child exits. */
  next<R extends Reply>(accept: (reply: Reply) => reply is R): Promise<R>;
  /** Send `request`, then wait for the reply that `accept` takes. */
  ask<R extends Reply>(request: unknown, accept: (reply: Reply) => reply is R): Promise<R>;
  stop(): Promise<void>;
}

export function forkFakeChild<Reply>(moduleUrl: string, name: string): FakeChild<Reply> {
  const child = fork(fileURLToPath(moduleUrl), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <R extends Reply>(accept: (reply: Reply) => reply is R): Promise<R> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: Reply): void => {
        if (!accept(reply)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number | null): void => reject(new Error(`${name} exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return {
    child,
    next,
    ask: (request, accept) => {
      const reply = next(accept);
      child.send(request as object);
      return reply;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
