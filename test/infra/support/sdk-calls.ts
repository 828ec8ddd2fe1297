import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The IAM actions Sherpa's code can cause, read from the source: every `…Command` imported from an
 * `@aws-sdk/client-*` package, mapped to the action IAM checks for it.
 */
const SERVICE_PREFIX: Record<string, string> = {
  s3: 's3',
  sqs: 'sqs',
  ec2: 'ec2',
  ssm: 'ssm',
  'bedrock-runtime': 'bedrock',
  'service-quotas': 'servicequotas',
};

/** Commands whose IAM action is not simply their name. */
const ACTION_OF: Record<string, string> = {
  's3:HeadObject': 's3:GetObject',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadBucket': 's3:ListBucket',
  'bedrock:Converse': 'bedrock:InvokeModel',
  'bedrock:ConverseStream': 'bedrock:InvokeModelWithResponseStream',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

export interface SdkCall {
  file: string;
  command: string;
  action: string;
}

/** `exclude` lists path prefixes run with other credentials (the operator's migration script). */
export function sdkCallsIn(root: string, exclude: string[] = []): SdkCall[] {
  const calls: SdkCall[] = [];
  for (const file of walk(join(root, 'src'))) {
    const rel = relative(root, file);
    if (exclude.some((prefix) => rel.startsWith(prefix))) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      const prefix = SERVICE_PREFIX[match[2] as string];
      if (!prefix) throw new Error(`${rel} imports @aws-sdk/client-${match[2]}; add it to sdk-calls.ts`);
      for (const name of (match[1] as string).split(',').map((n) => n.trim().split(/\s+as\s+/)[0] ?? '')) {
        if (!name.endsWith('Command') || name.startsWith('type ')) continue;
        const direct = `${prefix}:${name.slice(0, -'Command'.length)}`;
        calls.push({ file: rel, command: name, action: ACTION_OF[direct] ?? direct });
      }
    }
  }
  return calls;
}
