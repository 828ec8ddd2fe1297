import type { ServerResponse } from 'node:http';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from './fake-aws/http-server.js';
import { OpenSearchFault, OpenSearchModel, type FakeIndex, type StoredDoc } from './fake-opensearch/model.js';
import { runSearch } from './fake-opensearch/search.js';

export { OpenSearchModel, OpenSearchFault } from './fake-opensearch/model.js';

/**
 * A loopback fake of the OpenSearch REST endpoints Sherpa uses: index creation with mappings and aliases,
 * GET/_create/_doc/DELETE of documents with `if_seq_no`/`if_primary_term` and `op_type=create` (409 on a lost
 * race, as OpenSearch answers), `_mget`, `_search` (query DSL subset, sort, aggregations), `_bulk` (NDJSON, per
 * item results, injectable item failures) and `_refresh`. Search sees documents only after a refresh
 * (`refresh=true|wait_for` on the write, or `_refresh`), like the real near-real-time search, so an adapter that
 * forgets to refresh fails here too. Strict: an unknown endpoint is answered 400 and kept in `unmatched`.
 */
export interface FakeOpenSearch extends LoopbackServer {
  readonly model: OpenSearchModel;
  readonly unmatched: RecordedRequest[];
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

const docView = (index: FakeIndex, doc: StoredDoc) => ({
  _index: index.name,
  _id: doc.id,
  _version: doc.version,
  _seq_no: doc.seqNo,
  _primary_term: doc.primaryTerm,
});

function refreshIfAsked(index: FakeIndex, query: URLSearchParams): void {
  const refresh = query.get('refresh');
  if (refresh !== null && refresh !== 'false') index.refresh();
}

function conditions(query: URLSearchParams) {
  const seq = query.get('if_seq_no');
  const term = query.get('if_primary_term');
  return {
    ...(seq !== null ? { ifSeqNo: Number(seq) } : {}),
    ...(term !== null ? { ifPrimaryTerm: Number(term) } : {}),
  };
}

function json(request: RecordedRequest): Record<string, unknown> {
  const text = request.body.toString();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function bulk(model: OpenSearchModel, request: RecordedRequest, defaultIndex: string | undefined) {
  const lines = request.body
    .toString()
    .split('\n')
    .filter((line) => line.trim() !== '');
  const items: Record<string, unknown>[] = [];
  const touched = new Set<FakeIndex>();
  for (let i = 0; i < lines.length; i += 1) {
    const action = JSON.parse(lines[i] as string) as Record<string, { _index?: string; _id?: string }>;
    const [kind, meta] = Object.entries(action)[0] as [string, { _index?: string; _id?: string }];
    const source =
      kind === 'delete' ? undefined : (JSON.parse(lines[++i] as string) as Record<string, unknown>);
    const indexName = meta._index ?? defaultIndex ?? '';
    try {
      const injected = model.bulkFault?.(kind, indexName, meta._id, source);
      if (injected) throw injected;
      const index = model.resolve(indexName);
      touched.add(index);
      if (kind === 'delete') {
        const removed = index.remove(meta._id ?? '', {});
        items.push({
          delete: {
            _index: index.name,
            _id: meta._id,
            status: removed ? 200 : 404,
            result: removed ? 'deleted' : 'not_found',
          },
        });
      } else if (kind === 'index' || kind === 'create') {
        const { doc, created } = index.write(meta._id, source ?? {}, { create: kind === 'create' });
        items.push({
          [kind]: {
            ...docView(index, doc),
            result: created ? 'created' : 'updated',
            status: created ? 201 : 200,
          },
        });
      } else {
        throw new OpenSearchFault(400, 'illegal_argument_exception', `bulk action ${kind} not modelled`);
      }
    } catch (error) {
      const fault =
        error instanceof OpenSearchFault ? error : new OpenSearchFault(500, 'exception', String(error));
      items.push({
        [kind]: {
          _index: indexName,
          _id: meta._id,
          status: fault.status,
          error: { type: fault.type, reason: fault.message },
        },
      });
    }
  }
  const refresh = new URL(request.path, 'http://fake').searchParams.get('refresh');
  if (refresh !== null && refresh !== 'false') for (const index of touched) index.refresh();
  return { took: 1, errors: items.some((item) => 'error' in (Object.values(item)[0] as object)), items };
}

function route(model: OpenSearchModel, request: RecordedRequest, response: ServerResponse): boolean {
  const url = new URL(request.path, 'http://fake');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const query = url.searchParams;
  const method = request.method;

  if (parts[0] === '_alias' && parts.length === 2 && method === 'GET') {
    const target = model.aliases.get(parts[1] as string);
    if (!target) reply(response, 404, { error: `alias [${parts[1]}] missing`, status: 404 });
    else reply(response, 200, { [target]: { aliases: { [parts[1] as string]: {} } } });
    return true;
  }
  if (parts[0] === '_bulk' && method === 'POST')
    return (void reply(response, 200, bulk(model, request, undefined)), true);
  if (parts.length === 1 && method === 'PUT') {
    model.createIndex(parts[0] as string, json(request));
    reply(response, 200, { acknowledged: true, shards_acknowledged: true, index: parts[0] });
    return true;
  }
  if (parts.length === 1 && method === 'HEAD') {
    model.resolve(parts[0] as string);
    reply(response, 200, undefined);
    return true;
  }
  const [indexName = '', endpoint, id] = parts;
  if (parts.length === 3 && endpoint === '_alias' && method === 'PUT') {
    model.putAlias(indexName, id as string);
    reply(response, 200, { acknowledged: true });
    return true;
  }
  const index = model.resolve(indexName);
  if (endpoint === '_mapping' && parts.length === 2 && method === 'PUT') {
    index.putMapping(json(request) as { properties?: Record<string, unknown> });
    reply(response, 200, { acknowledged: true });
    return true;
  }
  if (endpoint === '_bulk' && method === 'POST')
    return (void reply(response, 200, bulk(model, request, index.name)), true);
  if (endpoint === '_refresh' && parts.length === 2) {
    index.refresh();
    reply(response, 200, { _shards: { total: 1, successful: 1, failed: 0 } });
    return true;
  }
  if (endpoint === '_search' && parts.length === 2 && (method === 'POST' || method === 'GET')) {
    reply(response, 200, runSearch(index, json(request)));
    return true;
  }
  if (endpoint === '_mget' && parts.length === 2 && (method === 'POST' || method === 'GET')) {
    const ids = (json(request).ids as string[]) ?? [];
    reply(response, 200, {
      docs: ids.map((docId) => {
        const doc = index.docs.get(docId);
        return doc
          ? { ...docView(index, doc), found: true, _source: doc.source }
          : { _index: index.name, _id: docId, found: false };
      }),
    });
    return true;
  }
  if ((endpoint === '_doc' || endpoint === '_create') && parts.length === 3 && id !== undefined) {
    if (method === 'GET') {
      const doc = index.docs.get(id);
      if (!doc) reply(response, 404, { _index: index.name, _id: id, found: false });
      else reply(response, 200, { ...docView(index, doc), found: true, _source: doc.source });
      return true;
    }
    if (method === 'PUT' || method === 'POST') {
      const create = endpoint === '_create' || query.get('op_type') === 'create';
      const { doc, created } = index.write(id, json(request), { create, ...conditions(query) });
      refreshIfAsked(index, query);
      reply(response, created ? 201 : 200, {
        ...docView(index, doc),
        result: created ? 'created' : 'updated',
        _shards: { total: 1, successful: 1, failed: 0 },
      });
      return true;
    }
    if (method === 'DELETE') {
      const removed = index.remove(id, conditions(query));
      refreshIfAsked(index, query);
      if (!removed) reply(response, 404, { _index: index.name, _id: id, result: 'not_found' });
      else reply(response, 200, { ...docView(index, removed), result: 'deleted' });
      return true;
    }
  }
  if (endpoint === '_doc' && parts.length === 2 && method === 'POST') {
    const { doc } = index.write(undefined, json(request), {});
    refreshIfAsked(index, query);
    reply(response, 201, { ...docView(index, doc), result: 'created' });
    return true;
  }
  return false;
}

export async function startFakeOpenSearch(model = new OpenSearchModel()): Promise<FakeOpenSearch> {
  const unmatched: RecordedRequest[] = [];
  const server = await startLoopbackServer((request, response) => {
    try {
      if (model.denyAll) {
        reply(response, model.denyAll.status, { message: model.denyAll.reason });
        return;
      }
      if (route(model, request, response)) return;
      unmatched.push(request);
      reply(
        response,
        400,
        new OpenSearchFault(
          400,
          'invalid_request',
          `fake OpenSearch has no route for ${request.method} ${request.path}`,
        ).toBody(),
      );
    } catch (error) {
      const fault =
        error instanceof OpenSearchFault ? error : new OpenSearchFault(500, 'exception', String(error));
      reply(response, fault.status, fault.toBody());
    }
  });
  return { ...server, model, unmatched };
}
