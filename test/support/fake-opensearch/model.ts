import { randomUUID } from 'node:crypto';

export interface StoredDoc {
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
  version: number;
  /** Insertion order, for ties in search results. */
  order: number;
}

export class OpenSearchFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    reason: string,
  ) {
    super(reason);
  }

  toBody() {
    return {
      error: {
        root_cause: [{ type: this.type, reason: this.message }],
        type: this.type,
        reason: this.message,
      },
      status: this.status,
    };
  }
}

export class FakeIndex {
  readonly docs = new Map<string, StoredDoc>();
  /** What search sees: the documents as of the last refresh (OpenSearch search is near-real-time). */
  searchable = new Map<string, StoredDoc>();
  private seqNo = -1;
  private order = 0;
  readonly primaryTerm = 1;

  constructor(
    readonly name: string,
    readonly mappings: { dynamic?: string; properties?: Record<string, unknown> },
  ) {}

  refresh(): void {
    this.searchable = new Map(this.docs);
  }

  /** PUT <index>/_mapping: new fields are added, known ones kept, as OpenSearch does for an additive change. */
  putMapping(body: { properties?: Record<string, unknown> }): void {
    this.mappings.properties = { ...body.properties, ...this.mappings.properties };
  }

  /** `dynamic: strict` refuses unknown top-level fields, as OpenSearch does. */
  checkMapping(source: Record<string, unknown>): void {
    if (this.mappings.dynamic !== 'strict') return;
    const known = Object.keys(this.mappings.properties ?? {});
    const unknown = Object.keys(source).find((field) => !known.includes(field));
    if (unknown) {
      throw new OpenSearchFault(
        400,
        'strict_dynamic_mapping_exception',
        `mapping set to strict, dynamic introduction of [${unknown}] within [_doc] is not allowed`,
      );
    }
  }

  write(
    id: string | undefined,
    source: Record<string, unknown>,
    conditions: { create?: boolean; ifSeqNo?: number; ifPrimaryTerm?: number },
  ): { doc: StoredDoc; created: boolean } {
    this.checkMapping(source);
    const docId = id ?? randomUUID().replace(/-/g, '').slice(0, 20);
    const existing = this.docs.get(docId);
    if (conditions.create && existing) {
      throw new OpenSearchFault(
        409,
        'version_conflict_engine_exception',
        `[${docId}]: version conflict, document already exists (current version [${existing.version}])`,
      );
    }
    if (conditions.ifSeqNo !== undefined || conditions.ifPrimaryTerm !== undefined) {
      if (
        !existing ||
        existing.seqNo !== conditions.ifSeqNo ||
        existing.primaryTerm !== conditions.ifPrimaryTerm
      ) {
        throw new OpenSearchFault(
          409,
          'version_conflict_engine_exception',
          `[${docId}]: version conflict, required seqNo [${conditions.ifSeqNo}], primary term [${conditions.ifPrimaryTerm}]. ${existing ? `current document has seqNo [${existing.seqNo}] and primary term [${existing.primaryTerm}]` : 'but no document was found'}`,
        );
      }
    }
    this.seqNo += 1;
    const doc: StoredDoc = {
      id: docId,
      source: structuredClone(source),
      seqNo: this.seqNo,
      primaryTerm: this.primaryTerm,
      version: (existing?.version ?? 0) + 1,
      order: existing?.order ?? this.order++,
    };
    this.docs.set(docId, doc);
    return { doc, created: !existing };
  }

  remove(id: string, conditions: { ifSeqNo?: number; ifPrimaryTerm?: number }): StoredDoc | undefined {
    const existing = this.docs.get(id);
    if (!existing) return undefined;
    if (
      conditions.ifSeqNo !== undefined &&
      (existing.seqNo !== conditions.ifSeqNo || existing.primaryTerm !== conditions.ifPrimaryTerm)
    ) {
      throw new OpenSearchFault(
        409,
        'version_conflict_engine_exception',
        `[${id}]: version conflict, required seqNo [${conditions.ifSeqNo}]`,
      );
    }
    this.seqNo += 1;
    this.docs.delete(id);
    return { ...existing, seqNo: this.seqNo, version: existing.version + 1 };
  }
}

/** Indices and aliases in memory. */
export class OpenSearchModel {
  readonly indices = new Map<string, FakeIndex>();
  readonly aliases = new Map<string, string>();
  /** Bulk items to fail: called for each item, returns a fault to answer it with (once per call). */
  bulkFault:
    | ((
        action: string,
        index: string,
        id: string | undefined,
        source: unknown,
      ) => OpenSearchFault | undefined)
    | undefined;
  /** Every request is refused with this status (401/403) when set: credentials or IAM wrong. */
  denyAll: { status: number; reason: string } | undefined;

  createIndex(
    name: string,
    body: { mappings?: FakeIndex['mappings']; aliases?: Record<string, unknown> },
  ): void {
    if (this.indices.has(name) || this.aliases.has(name)) {
      throw new OpenSearchFault(400, 'resource_already_exists_exception', `index [${name}] already exists`);
    }
    this.indices.set(name, new FakeIndex(name, body.mappings ?? {}));
    for (const alias of Object.keys(body.aliases ?? {})) this.aliases.set(alias, name);
  }

  putAlias(index: string, alias: string): void {
    this.resolve(index);
    this.aliases.set(alias, index);
  }

  resolve(name: string): FakeIndex {
    const index = this.indices.get(this.aliases.get(name) ?? name);
    if (!index) throw new OpenSearchFault(404, 'index_not_found_exception', `no such index [${name}]`);
    return index;
  }

  /** Test view: the current source of a document by index or alias. */
  source(index: string, id: string): Record<string, unknown> | undefined {
    return this.resolve(index).docs.get(id)?.source;
  }
}
