import { z } from 'zod';
import { SchemaError } from '../../errors.js';
import { INSTANCE_STATES } from '../../ports/compute.js';

/** The parts of EC2 and SSM responses Sherpa relies on, checked rather than trusted (aws.md §2–3). */
export const Ec2InstanceSchema = z.object({
  InstanceId: z.string(),
  InstanceType: z.string().optional(),
  State: z.object({ Name: z.enum(INSTANCE_STATES) }),
  LaunchTime: z.date().optional(),
  /** `spot` for spot instances; absent for on-demand. */
  InstanceLifecycle: z.string().optional(),
  /** Why the instance last changed state, e.g. `Server.InsufficientInstanceCapacity` when a start fell back. */
  StateReason: z.object({ Code: z.string().optional(), Message: z.string().optional() }).optional(),
});
export type Ec2Instance = z.infer<typeof Ec2InstanceSchema>;

export const DescribeInstancesSchema = z.object({
  Reservations: z.array(z.object({ Instances: z.array(Ec2InstanceSchema).default([]) })).default([]),
});

export const RunInstancesSchema = z.object({ Instances: z.array(Ec2InstanceSchema).default([]) });

export const InstanceInformationSchema = z.object({
  InstanceInformationList: z
    .array(z.object({ InstanceId: z.string().optional(), PingStatus: z.string().optional() }))
    .default([]),
});

export const SendCommandSchema = z.object({ Command: z.object({ CommandId: z.string().min(1) }) });

export const CommandInvocationSchema = z.object({
  Status: z.enum([
    'Pending',
    'InProgress',
    'Delayed',
    'Success',
    'Cancelled',
    'TimedOut',
    'Failed',
    'Cancelling',
  ]),
  StatusDetails: z.string().optional(),
  /** −1 until the script has run; then its exit code. */
  ResponseCode: z.number().int().optional(),
  StandardOutputContent: z.string().optional(),
  StandardErrorContent: z.string().optional(),
});
export type CommandInvocation = z.infer<typeof CommandInvocationSchema>;

export function parseAws<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new SchemaError(
    what,
    parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
  );
}

/** ListCommands: only what finding a run's command by its dispatch key needs. */
export const ListCommandsSchema = z.object({
  Commands: z
    .array(
      z.object({
        CommandId: z.string().min(1),
        Comment: z.string().optional(),
        InstanceIds: z.array(z.string()).default([]),
        RequestedDateTime: z.date().optional(),
      }),
    )
    .default([]),
  NextToken: z.string().optional(),
});
