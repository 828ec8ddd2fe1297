import { z } from 'zod';
import { PoolFileSchema } from './compute-pools.js';

/**
 * The optional YAML file named by SHERPA_CONFIG: the team's research profile, schedules and prices.
 * Environment variables override the same settings here (see load-config.ts for precedence).
 */
export const ModelPriceSchema = z.object({
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
  cacheReadPerMTok: z.number().nonnegative().optional(),
  cacheWritePerMTok: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

export const ResearchProfileSchema = z.object({
  /** The team's interests in plain language; shown to the judge verbatim. */
  interests: z
    .string()
    .default(
      'Efficient training and inference of neural networks on AI accelerators: attention and transformer variants, ' +
        'mixture of experts, quantisation and low-precision training, optimisers, compiler and kernel-level ' +
        'performance, memory-efficient training, and systems for large models.',
    ),
  keywords: z
    .array(z.string())
    .default([
      'training',
      'transformer',
      'attention',
      'mixture of experts',
      'quantization',
      'low precision',
      'optimizer',
      'kernel',
      'compiler',
      'accelerator',
      'throughput',
      'memory efficient',
      'distributed training',
      'sparsity',
      'inference',
      'language model',
    ]),
  exclusions: z.array(z.string()).default([]),
  thresholds: z
    .object({
      /** Local pre-filter score (0–1) under which a paper is filtered without an LLM call. */
      prefilter: z.number().min(0).max(1).default(0.05),
      relevance: z.number().int().min(1).max(10).default(7),
      novelty: z.number().int().min(1).max(10).default(5),
    })
    .default({ prefilter: 0.05, relevance: 7, novelty: 5 }),
});
export type ResearchProfile = z.infer<typeof ResearchProfileSchema>;

export const ScheduleSchema = z.object({
  /** `arxiv`, or a venue such as `iclr` with a year. */
  source: z.string(),
  year: z.number().int().optional(),
  cron: z.string(),
  query: z.string().optional(),
  limit: z.number().int().positive().optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const ConfigFileSchema = z
  .object({
    channel: z.string().optional(),
    approvers: z.array(z.string()).optional(),
    timezone: z.string().optional(),
    profile: ResearchProfileSchema.optional(),
    schedules: z.array(ScheduleSchema).optional(),
    arxiv: z
      .object({
        categories: z.array(z.string()).optional(),
        query: z.string().optional(),
        pageSize: z.number().int().min(1).max(2000).optional(),
      })
      .optional(),
    prices: z
      .object({
        models: z.record(z.string(), ModelPriceSchema).optional(),
        instanceHourlyUsd: z.number().nonnegative().optional(),
      })
      .optional(),
    codegen: z
      .object({
        /** Hosts generated code may download datasets from (checked before the code is posted). */
        allowedDatasetHosts: z.array(z.string()).optional(),
        runBudgetMinutes: z.number().int().positive().optional(),
      })
      .optional(),
    /** Where runs go (issue 12): pools of fixed or launched instances, Trainium or GPU. */
    compute: z
      .object({ pools: z.array(PoolFileSchema).min(1).optional() })
      .strict()
      .optional(),
    digest: z
      .object({
        schedule: z.string().optional(),
        quietDay: z.enum(['one-line', 'skip']).optional(),
      })
      .optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
