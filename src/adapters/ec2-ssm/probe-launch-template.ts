import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { awsStep } from '../aws-errors.js';

const VersionsSchema = z.object({
  LaunchTemplateVersions: z
    .array(
      z.object({
        LaunchTemplateId: z.string().optional(),
        VersionNumber: z.number().optional(),
        LaunchTemplateData: z
          .object({
            ImageId: z.string().optional(),
            InstanceType: z.string().optional(),
            IamInstanceProfile: z
              .object({ Arn: z.string().optional(), Name: z.string().optional() })
              .optional(),
            NetworkInterfaces: z.array(z.object({ SubnetId: z.string().optional() })).optional(),
          })
          .passthrough()
          .optional(),
      }),
    )
    .default([]),
});

export interface LaunchTemplateProbe {
  imageId?: string;
  imageName?: string;
  instanceType?: string;
  instanceProfile?: string;
  subnetIds: string[];
  /** Subnets the template names that DescribeSubnets does not know. */
  missingSubnets: string[];
}

/**
 * A launch pool's template as `npm run doctor` needs it (issue 12, item 1): the version's AMI (and that
 * AMI's name, to compare with the pinned one), its instance profile and its subnets, read-only.
 */
export async function probeLaunchTemplate(
  ec2: EC2Client,
  template: { id?: string; name?: string; version: string },
): Promise<LaunchTemplateProbe | undefined> {
  const which = template.id ?? template.name ?? '';
  const output = await awsStep('ec2:DescribeLaunchTemplateVersions', which, () =>
    ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        ...(template.id ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name }),
        Versions: [template.version],
      }),
    ),
  );
  const [version] = VersionsSchema.parse(output).LaunchTemplateVersions;
  const data = version?.LaunchTemplateData;
  if (!data) return undefined;
  const subnetIds = (data.NetworkInterfaces ?? []).flatMap((nic) => (nic.SubnetId ? [nic.SubnetId] : []));
  let imageName: string | undefined;
  if (data.ImageId) {
    const images = await awsStep('ec2:DescribeImages', data.ImageId, () =>
      ec2.send(new DescribeImagesCommand({ ImageIds: [data.ImageId as string] })),
    );
    imageName = z
      .object({ Images: z.array(z.object({ Name: z.string().optional() })).default([]) })
      .parse(images).Images[0]?.Name;
  }
  let missingSubnets: string[] = [];
  if (subnetIds.length > 0) {
    const subnets = await awsStep('ec2:DescribeSubnets', subnetIds.join(', '), () =>
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds })),
    );
    const known = z
      .object({ Subnets: z.array(z.object({ SubnetId: z.string().optional() })).default([]) })
      .parse(subnets)
      .Subnets.map((subnet) => subnet.SubnetId);
    missingSubnets = subnetIds.filter((id) => !known.includes(id));
  }
  return {
    ...(data.ImageId ? { imageId: data.ImageId } : {}),
    ...(imageName ? { imageName } : {}),
    ...(data.InstanceType ? { instanceType: data.InstanceType } : {}),
    ...(data.IamInstanceProfile?.Arn || data.IamInstanceProfile?.Name
      ? { instanceProfile: (data.IamInstanceProfile.Arn ?? data.IamInstanceProfile.Name) as string }
      : {}),
    subnetIds,
    missingSubnets,
  };
}
