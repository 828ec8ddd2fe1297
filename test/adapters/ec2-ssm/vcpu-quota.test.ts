import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceQuotasClient } from '../../../src/adapters/ec2-ssm/clients.js';
import { readEc2Quota, vcpuQuotaFor } from '../../../src/adapters/ec2-ssm/probe-vcpu-quota.js';

describe('EC2 vCPU quota probe (issue 12, item 1)', () => {
  it('picks the quota of the family and market', () => {
    expect(vcpuQuotaFor('trn1.32xlarge', 'on-demand')?.code).toBe('L-2C3B7624');
    expect(vcpuQuotaFor('trn2.48xlarge', 'spot')?.code).toBe('L-6B0D517C');
    expect(vcpuQuotaFor('g6.xlarge', 'on-demand')?.code).toBe('L-DB2E81BA');
    expect(vcpuQuotaFor('g5.xlarge', 'spot')?.code).toBe('L-3819A6DF');
    expect(vcpuQuotaFor('p5.48xlarge', 'on-demand')?.code).toBe('L-417A185B');
    expect(vcpuQuotaFor('p4d.24xlarge', 'spot')?.code).toBe('L-7212CCBC');
    expect(vcpuQuotaFor('m5.large', 'spot')).toBeUndefined();
  });

  describe('through AWS_ENDPOINT_URL_SERVICE_QUOTAS', () => {
    const seen: { target?: string; body: string }[] = [];
    let server: Server;
    const saved = { ...process.env };

    beforeAll(async () => {
      server = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          seen.push({ target: request.headers['x-amz-target'] as string | undefined, body });
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ Quota: { QuotaCode: 'L-6B0D517C', Value: 64 } }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      process.env.AWS_ENDPOINT_URL_SERVICE_QUOTAS = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
      process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    });
    afterAll(async () => {
      process.env = saved;
      await new Promise((resolve) => server.close(resolve));
    });

    it('reads the applied value from the redirected endpoint', async () => {
      const quota = await readEc2Quota(createServiceQuotasClient('us-east-1'), 'L-6B0D517C');
      expect(quota.value).toBe(64);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.target).toBe('ServiceQuotasV20190624.GetServiceQuota');
      expect(JSON.parse(seen[0]?.body ?? '{}')).toEqual({ ServiceCode: 'ec2', QuotaCode: 'L-6B0D517C' });
    });
  });
});
