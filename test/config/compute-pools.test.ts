import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { INSTANCE_PRICES, tablePrice } from '../../src/config/instance-prices.js';
import { ConfigError } from '../../src/errors.js';

const VALID = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_APP_TOKEN: 'xapp-1-A1-2-def',
  SLACK_CHANNEL: 'C0123456789',
  APPROVERS: 'U0123456789',
  TRAINIUM_RUNNER_ROLE_ID: 'AROAEXAMPLE1234567890',
  S3_BUCKET: 'sherpa-data',
  SHERPA_CONFIG: '/etc/sherpa.yaml',
};

const THREE_POOLS = `
compute:
  pools:
    - name: trn1-fixed
      instanceType: trn1.2xlarge
      backend: neuron
      mode: fixed
      instanceIds: [i-0123456789abcdef0]
    - name: trn1-spot
      instanceType: trn1.2xlarge
      backend: neuron
      mode: launch
      launchTemplate: { id: lt-0123456789abcdef0 }
      max: 3
      idleMinutes: 5
      market: spot-then-on-demand
    - name: gpu-spot
      instanceType: g5.xlarge
      backend: cuda
      mode: launch
      launchTemplate: { name: sherpa-cuda, version: '4' }
      max: 2
      market: spot
      hourlyUsd: 0.31
`;

function problemsOf(env: Record<string, string>, file: string): readonly string[] {
  try {
    loadConfig(env, { readFile: () => file });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('compute.pools', () => {
  it('reads fixed and launch pools with prices from the one table unless the pool names its own', () => {
    const config = loadConfig(VALID, { readFile: () => THREE_POOLS });
    expect(config.compute.kind).toBe('ec2');
    expect(config.compute.instanceIds).toEqual(['i-0123456789abcdef0']);
    const [fixed, trn1Spot, gpu] = config.compute.pools;
    expect(fixed).toMatchObject({ mode: 'fixed', market: 'on-demand', hourlyUsd: 1.34375, idleMinutes: 15 });
    expect(trn1Spot).toMatchObject({
      mode: 'launch',
      max: 3,
      idleMinutes: 5,
      launchTemplate: { id: 'lt-0123456789abcdef0', version: '$Default' },
      hourlyUsd: tablePrice('trn1.2xlarge', 'spot'),
      onDemandHourlyUsd: 1.34375,
    });
    expect(trn1Spot?.hourlyUsd).toBeLessThan(1.34375 / 2);
    expect(gpu).toMatchObject({ backend: 'cuda', hourlyUsd: 0.31, onDemandHourlyUsd: 1.006 });
  });

  it('keeps TRAINIUM_INSTANCE_IDS as the shortcut for one fixed trn1 pool', () => {
    const { SHERPA_CONFIG: _unused, ...env } = VALID;
    const config = loadConfig({ ...env, TRAINIUM_INSTANCE_IDS: 'i-0123456789abcdef0' });
    expect(config.compute.pools).toEqual([
      expect.objectContaining({
        name: 'trainium',
        mode: 'fixed',
        backend: 'neuron',
        instanceIds: ['i-0123456789abcdef0'],
        hourlyUsd: 1.34375,
      }),
    ]);
    expect(config.compute.maxResumes).toBe(2);
  });

  it('reports every mistake in a pool with its path', () => {
    const problems = problemsOf(
      VALID,
      `
compute:
  pools:
    - { name: a, instanceType: trn1.2xlarge, backend: neuron, mode: launch, market: spot }
    - { name: b, instanceType: x9.huge, backend: cuda, mode: fixed, instanceIds: [i-0123456789abcdef0], market: spot }
`,
    );
    expect(problems.join('\n')).toMatch(/compute\.pools\.0\.launchTemplate.*exactly one/);
    expect(problems.join('\n')).toMatch(/compute\.pools\.0\.max/);
    expect(problems.join('\n')).toMatch(/compute\.pools\.1\.market.*fixed pool is on-demand/);
    expect(problems.join('\n')).toMatch(/compute\.pools\.1\.hourlyUsd.*no default price for x9\.huge/);
  });

  it('refuses both the shortcut and pools, and one instance in two pools', () => {
    expect(problemsOf({ ...VALID, TRAINIUM_INSTANCE_IDS: 'i-0123456789abcdef0' }, THREE_POOLS)).toEqual([
      expect.stringMatching(/TRAINIUM_INSTANCE_IDS and compute\.pools .* both set/),
    ]);
    const twice = `
compute:
  pools:
    - { name: a, instanceType: trn1.2xlarge, backend: neuron, mode: fixed, instanceIds: [i-0123456789abcdef0] }
    - { name: a, instanceType: trn1.2xlarge, backend: neuron, mode: fixed, instanceIds: [i-0123456789abcdef0] }
`;
    expect(problemsOf(VALID, twice)).toEqual([
      expect.stringMatching(/"a" is used twice/),
      expect.stringMatching(/i-0123456789abcdef0 is in more than one pool/),
    ]);
  });

  it('has a price for every common type, spot below on-demand', () => {
    for (const type of [
      'trn1.2xlarge',
      'trn1.32xlarge',
      'trn2.48xlarge',
      'g5.xlarge',
      'g6.xlarge',
      'p4d.24xlarge',
      'p5.48xlarge',
    ]) {
      expect(INSTANCE_PRICES[type], type).toBeDefined();
      expect(tablePrice(type, 'spot')).toBeLessThan(tablePrice(type, 'on-demand') as number);
    }
  });
});
