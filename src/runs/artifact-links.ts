import type { BlobStore } from '../ports/blob-store.js';
import type { ArtifactLink } from '../messages/run-result.js';
import { runKeys, type RunLocation } from '../domain/run-keys.js';

/** The S3 console page of an object, for people who click; `s3://` stays visible for the CLI. */
export function s3ConsoleUrl(uri: string, region: string): string | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) return undefined;
  const [, bucket, key] = match as unknown as [string, string, string];
  return `https://${region}.console.aws.amazon.com/s3/object/${bucket}?region=${region}&prefix=${encodeURIComponent(key)}`;
}

/** result.json first, then what the runner listed (logs, profile output), each with a link where one exists. */
export function artifactLinks(
  blobs: BlobStore,
  location: RunLocation,
  names: readonly string[],
  region: string,
): ArtifactLink[] {
  const keys = runKeys(location);
  const all = ['result.json', ...names.filter((name) => name !== 'result.json')];
  return all.map((name) => {
    const uri = blobs.uriFor(keys.artifact(name));
    const url = s3ConsoleUrl(uri, region);
    return url ? { name, uri, url } : { name, uri };
  });
}
