import { join } from 'node:path';
import { FileBlobStore } from '../adapters/embedded/index.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { StorageContext } from './storage-context.js';

/**
 * The BlobStore the config selects: files under `DATA_DIR/blobs`, or S3 (`S3_BUCKET`). The S3 adapter (and its
 * SDK) is imported only in AWS mode, so the embedded bot never loads it (issue 14, lean bot).
 */
export async function createBlobStore(context: StorageContext): Promise<BlobStore> {
  const blob = context.config.storage.blob;
  switch (blob.kind) {
    case 'file':
      return new FileBlobStore(join(context.config.dataDir, 'blobs'));
    case 's3': {
      const { createS3Client, S3BlobStore } = await import('../adapters/s3/index.js');
      const client = createS3Client({ region: context.config.aws.region });
      context.onClose(() => client.destroy());
      return new S3BlobStore({ client, bucket: blob.bucket, prefix: blob.prefix });
    }
  }
}
