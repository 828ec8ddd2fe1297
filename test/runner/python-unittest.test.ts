import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The runner's own tests (Python standard library unittest) run as part of `npm test`. */
describe('trainium-runner python tests', () => {
  it('pass', async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((done, fail) => {
      const child = spawn(
        'python3',
        ['-m', 'unittest', 'discover', '-s', 'trainium-runner/tests', '-t', 'trainium-runner'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', fail);
      child.on('close', (exit) => done({ code: exit, output: text }));
    });
    expect(output).toMatch(/Ran \d+ tests/);
    if (code !== 0) throw new Error(`python -m unittest failed:\n${output.slice(-8000)}`);
  }, 600_000); // the suite runs real PyTorch training (spot interruption and resume, issue 12): minutes on 2 loaded cores
});
