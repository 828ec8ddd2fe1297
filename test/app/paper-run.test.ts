import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/messages/action-ids.js';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock.js';
import { useFakeBedrockEnv } from '../support/fake-bedrock-llm.js';
import { codegenResponder, userMessageOf } from '../support/fake-codegen-replies.js';
import { GATED_ATTENTION_PDF } from '../support/pdf-fixture.js';
import { startLoopbackServer } from '../support/loopback-http.js';
import { fixtureText } from '../support/recorded-fixture.js';
import { startSherpa, TEST_APPROVER, type SherpaHarness } from '../support/start-sherpa.js';

/**
 * `/paper run <arXiv URL>` end to end: the paper is fetched from a loopback arXiv that serves the recorded id_list
 * answer, judged (a cryptography paper the pre-filter turns down: shown, not blocking), given a thread, and
 * taken through code generation to a code step with run buttons.
 */
const AWS_ENV = [
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'AWS_PROFILE',
];
const RECORDED = fixtureText('arxiv', 'arxiv-atom-2026-idlist-2104.12255v1.xml');

let sherpa: SherpaHarness;
let bedrock: FakeBedrock;
let source: Awaited<ReturnType<typeof startLoopbackServer>>;
let arxivQueries: URLSearchParams[];
let pdfRequests: string[];
let savedEnv: Record<string, string | undefined>;

beforeEach(async () => {
  savedEnv = Object.fromEntries(AWS_ENV.map((key) => [key, process.env[key]]));
  bedrock = await startFakeBedrock();
  bedrock.respondWith(codegenResponder());
  useFakeBedrockEnv(bedrock);
  arxivQueries = [];
  pdfRequests = [];
  source = await startLoopbackServer((request, _body, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/query') {
      arxivQueries.push(url.searchParams);
      response.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' });
      // The recorded answer as arXiv sent it: its PDF link says https://arxiv.org/pdf/2104.12255v1.
      response.end(RECORDED);
    } else if (url.pathname === '/pdf/2104.12255v1') {
      pdfRequests.push(url.pathname);
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.end(GATED_ATTENTION_PDF);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  // ARXIV_PDF_URL sends the PDF download to this loopback server; the stored link stays arxiv.org's.
  sherpa = await startSherpa({
    env: { ARXIV_API_URL: `${source.baseUrl}/api/query`, ARXIV_PDF_URL: source.baseUrl },
  });
});
afterEach(async () => {
  await sherpa.stop();
  await Promise.all([bedrock.close(), source.close()]);
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('/paper run', () => {
  it('fetches an unknown arXiv paper, shows the verdict without blocking, opens its thread and generates code', async () => {
    const sent = await sherpa.fake.sendSlashCommand(
      '/paper',
      'run https://arxiv.org/abs/2104.12255v1',
      TEST_APPROVER,
    );
    expect((await sherpa.fake.waitForAck(sent.envelopeId)).latencyMs).toBeLessThan(3000);

    const done = await until('the final answer', () =>
      sherpa.fake
        .calls('response_url')
        .find(
          (call) =>
            call.responseUrlId === sent.responseUrlId &&
            String(call.args.text).includes('Code generation started'),
        ),
    );
    expect(done.args.text).toContain('Fetched “0”');
    expect(arxivQueries.map((query) => query.get('id_list'))).toEqual(['2104.12255']);

    const paper = await sherpa.deps.papers.findBySourceKey('arxiv:2104.12255');
    expect(paper?.verdict).toMatchObject({ decidedBy: 'prefilter' });
    const root = sherpa.fake.messages().find((message) => message.ts === paper?.thread?.ts);
    const rootText = JSON.stringify(root?.blocks);
    expect(rootText).toContain(`Opened by <@${TEST_APPROVER}> with`);
    expect(rootText).toContain(`<@${TEST_APPROVER}> asked for code`);
    expect(rootText).not.toContain(ACTION_IDS.generateCode);

    const step = await until('the code step', () =>
      sherpa.fake
        .messages({ threadTs: paper?.thread?.ts })
        .find((message) => JSON.stringify(message.blocks ?? []).includes(ACTION_IDS.regenerateCode)),
    );
    expect(JSON.stringify(step.blocks)).toContain('Code v1*');
    // The real PDF came from the redirected host, went to Claude, and the step says so.
    expect(JSON.stringify(step.blocks)).toContain("Written from the paper's PDF");
    expect(JSON.stringify(step.blocks)).not.toContain('abstract only');
    expect(pdfRequests).toEqual(['/pdf/2104.12255v1']);
    expect(paper?.pdfUrl).toBe('https://arxiv.org/pdf/2104.12255v1');
    const plan = bedrock.requests.find((request) => request.toolName === 'record_plan');
    expect(userMessageOf(plan).hasDocument).toBe(true);
    expect(JSON.stringify(plan?.body)).toContain(GATED_ATTENTION_PDF.toString('base64'));
    expect(sherpa.fake.uploads().map((upload) => upload.filename)).toEqual(['train.py']);
    expect(await sherpa.deps.blobs.exists(`raw/arxiv/2104.12255.json`)).toBe(true);

    // Asking again does not start a second generation.
    const again = await sherpa.fake.sendSlashCommand('/paper', 'run 2104.12255', TEST_APPROVER);
    const answer = await until('the second answer', () =>
      sherpa.fake
        .calls('response_url')
        .find(
          (call) =>
            call.responseUrlId === again.responseUrlId && !String(call.args.text).startsWith(':hourglass'),
        ),
    );
    expect(answer.args.text).toMatch(/already being generated|past code generation/);
    expect(arxivQueries).toHaveLength(1);
  });

  it('says so when arXiv has no such paper', async () => {
    await source.close();
    source = await startLoopbackServer((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' });
      response.end(fixtureText('arxiv', 'arxiv-atom-2026-idlist-0000.0000-empty.xml'));
    });
    await sherpa.stop();
    sherpa = await startSherpa({ env: { ARXIV_API_URL: `${source.baseUrl}/api/query` } });
    const sent = await sherpa.fake.sendSlashCommand('/paper', 'run 2501.99999', TEST_APPROVER);
    const answer = await until('the answer', () =>
      sherpa.fake
        .calls('response_url')
        .find(
          (call) =>
            call.responseUrlId === sent.responseUrlId && !String(call.args.text).startsWith(':hourglass'),
        ),
    );
    expect(answer.args.text).toBe('arXiv 2501.99999 does not exist at its source.');
    expect(sherpa.fake.calls('chat.postMessage')).toEqual([]);
  });
});
