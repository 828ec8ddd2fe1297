/**
 * Hourly prices of the instance types Sherpa's pools commonly use: ONE table, read by the pool config for
 * every pool that names no `hourlyUsd` of its own (issue 12, item 1).
 *
 * Sources (us-east-1, Linux, checked for this table; override per pool when your Region or contract differs):
 * - On-demand: the EC2 On-Demand pricing page, https://aws.amazon.com/ec2/pricing/on-demand/ (P4d and P5
 *   after the June 2025 price reduction, https://aws.amazon.com/about-aws/whats-new/2025/06/pricing-usage-model-ec2-instances-nvidia-gpus/).
 * - Spot: a typical discount, not a quote. Spot prices move with supply; the Spot Instance Advisor
 *   (https://aws.amazon.com/ec2/spot/instance-advisor/) and `aws ec2 describe-spot-price-history` show the
 *   current ones. The factors below are the median savings seen in the price history of the last months, and
 *   match issue 12's "spot capacity at a third of the price" for g5 and trn1.
 */
export interface InstancePrice {
  onDemandUsd: number;
  /** Spot price as a fraction of on-demand (typical, see above). */
  spotFactor: number;
}

export const INSTANCE_PRICES: Readonly<Record<string, InstancePrice>> = {
  'trn1.2xlarge': { onDemandUsd: 1.34375, spotFactor: 0.35 },
  'trn1.32xlarge': { onDemandUsd: 21.5, spotFactor: 0.35 },
  'trn1n.32xlarge': { onDemandUsd: 24.78, spotFactor: 0.4 },
  'trn2.48xlarge': { onDemandUsd: 44.7, spotFactor: 0.45 },
  'g5.xlarge': { onDemandUsd: 1.006, spotFactor: 0.3 },
  'g5.2xlarge': { onDemandUsd: 1.212, spotFactor: 0.3 },
  'g5.12xlarge': { onDemandUsd: 5.672, spotFactor: 0.35 },
  'g5.48xlarge': { onDemandUsd: 16.288, spotFactor: 0.4 },
  'g6.xlarge': { onDemandUsd: 0.8048, spotFactor: 0.35 },
  'g6.2xlarge': { onDemandUsd: 0.9776, spotFactor: 0.35 },
  'g6.12xlarge': { onDemandUsd: 4.6016, spotFactor: 0.4 },
  'p4d.24xlarge': { onDemandUsd: 21.9576, spotFactor: 0.45 },
  'p5.48xlarge': { onDemandUsd: 55.04, spotFactor: 0.5 },
};

export type Market = 'on-demand' | 'spot';

/** The table's hourly price of a type in a market, or undefined for a type the table does not know. */
export function tablePrice(instanceType: string, market: Market): number | undefined {
  const price = INSTANCE_PRICES[instanceType];
  if (!price) return undefined;
  const usd = market === 'spot' ? price.onDemandUsd * price.spotFactor : price.onDemandUsd;
  return Math.round(usd * 1_000_000) / 1_000_000;
}
