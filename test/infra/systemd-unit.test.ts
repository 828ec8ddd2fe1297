import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** `deploy/sherpa.service` parsed as systemd reads it (sections, `Key=value`, repeated keys kept). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = line.match(/^\[(.+)\]$/);
    if (section?.[1]) {
      current = sections[section[1]] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq === -1) throw new Error(`not a unit file line: ${line}`);
    (current[line.slice(0, eq)] ??= []).push(line.slice(eq + 1));
  }
  return sections;
}

describe('deploy/sherpa.service', () => {
  const root = new URL('../../', import.meta.url);
  const unit = parseUnit(readFileSync(new URL('deploy/sherpa.service', root), 'utf8'));
  const service = unit.Service ?? {};

  it('runs what npm start runs, with node itself, restarting on failure, as an unprivileged user', async () => {
    const [exec] = service.ExecStart ?? [];
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      scripts: { start: string; prepare: string; prestart: string };
    };
    const [program, ...args] = pkg.scripts.start.split(' ');
    expect(program).toBe('node');
    expect(exec).toBe(`/usr/bin/node ${args.join(' ')}`);
    expect(existsSync(new URL('src/main.ts', root))).toBe(true);
    // Since issue 14 both run the compiled src/main.ts that `npm install`/`npm ci` builds (`prepare`), and
    // `npm start` rebuilds first if a source changed (`prestart`).
    const { outputPathOf } = (await import(new URL('scripts/build.mjs', root).href)) as {
      outputPathOf: (source: string) => string;
    };
    expect(args).toEqual([outputPathOf('src/main.ts')]);
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    expect(pkg.scripts.prestart).toBe('node scripts/build.mjs --if-stale');
    expect(existsSync(new URL('node_modules/esbuild/package.json', root))).toBe(true);
    expect(existsSync(new URL('node_modules/tsx/package.json', root))).toBe(true);
    expect(service.Restart).toEqual(['on-failure']);
    expect(service.User).toEqual(['sherpa']);
    expect(service.NoNewPrivileges).toEqual(['yes']);
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
  });

  it('gives Sherpa longer to stop than its own shutdown deadline, and DATA_DIR is its only writable path', () => {
    const main = readFileSync(new URL('src/main.ts', root), 'utf8');
    const ownDeadlineMs = Number(main.match(/SHUTDOWN_TIMEOUT_MS = ([\d_]+)/)?.[1]?.replace(/_/g, ''));
    expect(ownDeadlineMs).toBeGreaterThan(0);
    expect(Number(service.TimeoutStopSec?.[0]) * 1000).toBeGreaterThan(ownDeadlineMs);
    expect(service.KillSignal).toEqual(['SIGTERM']);
    expect(service.Environment).toContain('DATA_DIR=/var/lib/sherpa');
    expect(service.ReadWritePaths).toEqual(['/var/lib/sherpa']);
    expect(service.ProtectSystem).toEqual(['strict']);
    expect(service.EnvironmentFile).toEqual(['/etc/sherpa/sherpa.env']);
  });
});
