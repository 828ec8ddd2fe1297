import { z } from 'zod';
import { tablePrice, type Market } from './instance-prices.js';

/**
 * `compute.pools` in the SHERPA_CONFIG file (issue 12, item 1): where runs may go. A `fixed` pool is a list
 * of instances Sherpa starts and stops (today's trn1 setup); a `launch` pool is a launch template Sherpa
 * launches from, up to `max` instances at once, each terminated after its idle window.
 */
export const POOL_MARKETS = ['on-demand', 'spot', 'spot-then-on-demand'] as const;
export type PoolMarket = (typeof POOL_MARKETS)[number];
export const POOL_BACKENDS = ['neuron', 'cuda'] as const;
export type PoolBackend = (typeof POOL_BACKENDS)[number];

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export const PoolFileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lower-case letters, digits and dashes'),
    instanceType: z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'must be an EC2 type such as trn1.2xlarge'),
    backend: z.enum(POOL_BACKENDS),
    mode: z.enum(['fixed', 'launch']),
    instanceIds: z.array(z.string().regex(INSTANCE_ID, 'must be an EC2 instance id (i-…)')).optional(),
    launchTemplate: z
      .object({
        id: z
          .string()
          .regex(/^lt-[0-9a-f]{8,17}$/, 'must be a launch template id (lt-…)')
          .optional(),
        name: z.string().min(3).max(128).optional(),
        version: z.string().default('$Default'),
      })
      .strict()
      .optional(),
    max: z.number().int().min(1).max(64).optional(),
    /** Minutes without a run after which an instance is stopped (fixed) or terminated (launch). */
    idleMinutes: z.number().int().min(1).optional(),
    market: z.enum(POOL_MARKETS).default('on-demand'),
    /** The pool's price per instance hour in its first market; default from src/config/instance-prices.ts. */
    hourlyUsd: z.number().nonnegative().optional(),
  })
  .strict()
  .superRefine((pool, context) => {
    const issue = (message: string, path: string) =>
      context.addIssue({ code: z.ZodIssueCode.custom, message, path: [path] });
    if (pool.mode === 'fixed') {
      if (!pool.instanceIds?.length) issue('a fixed pool needs its instance ids', 'instanceIds');
      if (pool.launchTemplate) issue('only a launch pool has a launch template', 'launchTemplate');
      if (pool.market !== 'on-demand')
        issue('a fixed pool is on-demand (Sherpa starts and stops its instances)', 'market');
    } else {
      if (pool.instanceIds) issue('a launch pool has no fixed instance ids', 'instanceIds');
      if (!pool.launchTemplate || !pool.launchTemplate.id === !pool.launchTemplate.name)
        issue(
          'a launch pool needs exactly one of launchTemplate.id or launchTemplate.name',
          'launchTemplate',
        );
      if (pool.max === undefined)
        issue('a launch pool needs `max`, the most instances it may run at once', 'max');
    }
    const market: Market = pool.market === 'on-demand' ? 'on-demand' : 'spot';
    if (pool.hourlyUsd === undefined && tablePrice(pool.instanceType, market) === undefined)
      issue(
        `no default price for ${pool.instanceType}: give \`hourlyUsd\` (see src/config/instance-prices.ts)`,
        'hourlyUsd',
      );
  });
export type PoolFile = z.infer<typeof PoolFileSchema>;

interface PoolCommon {
  name: string;
  instanceType: string;
  backend: PoolBackend;
  market: PoolMarket;
  /** The price of an hour in the pool's first market (spot for the spot markets). */
  hourlyUsd: number;
  /** The on-demand price: what an hour costs once `spot-then-on-demand` falls back. */
  onDemandHourlyUsd: number;
  idleMinutes: number;
}

export type ComputePool =
  | (PoolCommon & { mode: 'fixed'; instanceIds: string[] })
  | (PoolCommon & {
      mode: 'launch';
      launchTemplate: { id?: string; name?: string; version: string };
      max: number;
    });

/** The pool TRAINIUM_INSTANCE_IDS stands for: one fixed trn1.2xlarge pool, priced by INSTANCE_HOURLY_PRICE_USD. */
export function shortcutPool(instanceIds: string[], hourlyUsd: number, idleMinutes: number): ComputePool {
  return {
    name: 'trainium',
    instanceType: 'trn1.2xlarge',
    backend: 'neuron',
    mode: 'fixed',
    instanceIds,
    market: 'on-demand',
    hourlyUsd,
    onDemandHourlyUsd: hourlyUsd,
    idleMinutes,
  };
}

/** Fill in the defaults (prices from the one table, the global idle window) and check the pools together. */
export function resolvePools(
  pools: PoolFile[],
  defaults: { idleMinutes: number },
  problems: string[],
): ComputePool[] {
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const pool of pools) {
    if (names.has(pool.name)) problems.push(`compute.pools: the name "${pool.name}" is used twice.`);
    names.add(pool.name);
    for (const id of pool.instanceIds ?? []) {
      if (ids.has(id)) problems.push(`compute.pools: instance ${id} is in more than one pool.`);
      ids.add(id);
    }
  }
  return pools.map((pool): ComputePool => {
    const firstMarket: Market = pool.market === 'on-demand' ? 'on-demand' : 'spot';
    const onDemand = tablePrice(pool.instanceType, 'on-demand');
    const hourlyUsd = pool.hourlyUsd ?? tablePrice(pool.instanceType, firstMarket) ?? 0;
    const common: PoolCommon = {
      name: pool.name,
      instanceType: pool.instanceType,
      backend: pool.backend,
      market: pool.market,
      hourlyUsd,
      // A custom spot price with an unknown type: the on-demand fallback is billed at least at that price.
      onDemandHourlyUsd: firstMarket === 'on-demand' ? hourlyUsd : (onDemand ?? hourlyUsd),
      idleMinutes: pool.idleMinutes ?? defaults.idleMinutes,
    };
    if (pool.mode === 'fixed') return { ...common, mode: 'fixed', instanceIds: pool.instanceIds ?? [] };
    const template = pool.launchTemplate ?? { version: '$Default' };
    return { ...common, mode: 'launch', launchTemplate: template, max: pool.max ?? 1 };
  });
}

/** The price an hour on this pool costs in the market an instance was actually launched in. */
export function poolHourlyUsd(pool: ComputePool, market: Market): number {
  return market === 'spot' ? pool.hourlyUsd : pool.onDemandHourlyUsd;
}
