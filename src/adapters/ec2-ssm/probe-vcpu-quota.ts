import { GetServiceQuotaCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { z } from 'zod';
import { awsStep } from '../aws-errors.js';

export type QuotaMarket = 'on-demand' | 'spot';

/**
 * EC2's vCPU quota codes per instance family and market. The codes are those AWS lists under Service Quotas →
 * Amazon EC2; they match several public lists of them, but were not read back from a live account here.
 * G and VT share one quota; every P generation shares one.
 */
const QUOTA_CODES: ReadonlyArray<{ family: RegExp; market: QuotaMarket; code: string; name: string }> = [
  { family: /^trn\d/, market: 'on-demand', code: 'L-2C3B7624', name: 'Running On-Demand Trn instances' },
  {
    family: /^(g|vt)\d/,
    market: 'on-demand',
    code: 'L-DB2E81BA',
    name: 'Running On-Demand G and VT instances',
  },
  { family: /^p\d/, market: 'on-demand', code: 'L-417A185B', name: 'Running On-Demand P instances' },
  { family: /^trn\d/, market: 'spot', code: 'L-6B0D517C', name: 'All Trn Spot Instance Requests' },
  { family: /^(g|vt)\d/, market: 'spot', code: 'L-3819A6DF', name: 'All G and VT Spot Instance Requests' },
  { family: /^p\d/, market: 'spot', code: 'L-7212CCBC', name: 'All P Spot Instance Requests' },
];

/** The quota that limits `instanceType` in `market`, or undefined for a family Sherpa does not know. */
export function vcpuQuotaFor(
  instanceType: string,
  market: QuotaMarket,
): { code: string; name: string } | undefined {
  const found = QUOTA_CODES.find((quota) => quota.market === market && quota.family.test(instanceType));
  return found ? { code: found.code, name: found.name } : undefined;
}

const QuotaSchema = z.object({
  Quota: z.object({ Value: z.number().optional(), QuotaName: z.string().optional() }).optional(),
});

/** The applied value (vCPUs) of one EC2 quota, read-only; undefined when AWS returns no value. */
export async function readEc2Quota(
  quotas: ServiceQuotasClient,
  code: string,
): Promise<{ value?: number; name?: string }> {
  const output = await awsStep('servicequotas:GetServiceQuota', `ec2/${code}`, () =>
    quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: code })),
  );
  const quota = QuotaSchema.parse(output).Quota;
  return {
    ...(quota?.Value !== undefined ? { value: quota.Value } : {}),
    ...(quota?.QuotaName ? { name: quota.QuotaName } : {}),
  };
}
