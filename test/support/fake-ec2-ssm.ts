import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FaultQueue } from './fake-aws/aws-fault.js';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from './fake-aws/http-server.js';

/**
 * A loopback EC2 + SSM endpoint for the real AWS SDK clients (select it with AWS_ENDPOINT_URL_EC2 and
 * AWS_ENDPOINT_URL_SSM). EC2 speaks the Query protocol with XML answers, SSM JSON 1.1 (aws.md §2–3). It
 * keeps instance states, and its SendCommand really runs the script with `sh` on this machine, as the
 * instance's SSM agent would, honouring executionTimeout by killing the script's process group.
 *
 * State changes are driven by how often the bot looks, not by time, so tests are deterministic:
 * `pending` lasts `pendingPolls` DescribeInstances calls, `stopping` lasts `stoppingPolls`, and the agent
 * registers after `agentPolls` DescribeInstanceInformation calls following the start.
 */
export interface FakeInstanceOptions {
  state?: 'running' | 'stopped' | 'stopping' | 'pending';
  pendingPolls?: number;
  stoppingPolls?: number;
  agentPolls?: number;
}

export interface FakeEc2SsmOptions {
  instances: Record<string, FakeInstanceOptions>;
  /**
   * Launch templates RunInstances accepts (issue 12), by id or name, with the AMI they pin; instances launched
   * from them start `pending` with these poll counts (0: running and Online at the first look).
   */
  launchTemplates?: Record<string, { imageId: string }>;
  launched?: Omit<FakeInstanceOptions, 'state'>;
  /**
   * The environment the "instance" runs commands with (its PATH, its own settings); a function gives each
   * instance its own (e.g. its own runner work root, as separate machines have: all share this host's disk).
   */
  commandEnv: NodeJS.ProcessEnv | ((instanceId: string) => NodeJS.ProcessEnv);
  /** GetCommandInvocation answers InvocationDoesNotExist this many times per command first, like SSM's lag. */
  invocationLagPolls?: number;
}

interface FakeInstance {
  state: string;
  launchTime: string;
  pollsLeft: number;
  agentPollsLeft: number;
  options: Required<Omit<FakeInstanceOptions, 'state'>>;
  stateReason?: string;
  instanceType: string;
  /** Launched by RunInstances (issue 12): its market, client token, tags and AMI. */
  spot?: boolean;
  clientToken?: string;
  tags?: Record<string, string>;
  imageId?: string;
  launchTemplate?: string;
  /** A spot interruption notice, served at `/latest/meta-data/spot/instance-action` once raised. */
  notice?: { action: string; time: string };
}

interface FakeInvocation {
  commandId: string;
  instanceId: string;
  comment: string | undefined;
  /** Epoch milliseconds of the SendCommand. */
  requestedAt: number;
  status: 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  statusDetails: string;
  responseCode: number;
  stdout: string;
  stderr: string;
  lagLeft: number;
  kill: () => void;
  done: Promise<void>;
}

export interface SentCommand {
  instanceId: string;
  documentName: string;
  commands: string[];
  executionTimeout: string | undefined;
  timeoutSeconds: number | undefined;
  comment: string | undefined;
}

const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const xmlEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class FakeEc2Ssm {
  readonly faults = new FaultQueue();
  readonly sent: SentCommand[] = [];
  readonly actions: string[] = [];
  /**
   * What the "agent" runs in place of a command's script, when set: how a test makes the instance run one
   * command twice (an agent redelivery), with the second copy meeting the runner's start marker.
   */
  agentScript: ((script: string) => string) | undefined;
  private readonly instances = new Map<string, FakeInstance>();
  /** Every RunInstances the fake accepted (a replayed client token is not counted twice). */
  readonly launches: {
    instanceId: string;
    spot: boolean;
    launchTemplate: string;
    tags: Record<string, string>;
  }[] = [];
  /** Every instance id a TerminateInstances named (also when EC2 had already reclaimed it). */
  readonly terminations: string[] = [];
  private launchCount = 0;
  private readonly invocations = new Map<string, FakeInvocation>();
  private server: LoopbackServer | undefined;

  constructor(private readonly options: FakeEc2SsmOptions) {
    for (const [id, instance] of Object.entries(options.instances)) {
      const settings = { pendingPolls: 2, stoppingPolls: 2, agentPolls: 2, ...instance };
      this.instances.set(id, {
        state: instance.state ?? 'stopped',
        launchTime: '2026-11-23T06:00:00.000Z',
        pollsLeft: instance.state === 'stopping' ? settings.stoppingPolls : settings.pendingPolls,
        agentPollsLeft: instance.state === 'running' ? 0 : settings.agentPolls,
        options: settings,
        instanceType: 'trn1.2xlarge',
      });
    }
  }

  async start(): Promise<string> {
    this.server = await startLoopbackServer((request, response) => this.handle(request, response));
    return this.server.url;
  }

  get url(): string {
    if (!this.server) throw new Error('fake EC2/SSM not started');
    return this.server.url;
  }

  /** Commands that really ran on the "instance" (each SendCommand the fake accepted starts one). */
  get executions(): number {
    return this.invocations.size;
  }

  /** The outcome of the `index`th command sent, as the agent recorded it (responseCode -1 while running). */
  invocationOutput(index: number): { responseCode: number; stdout: string } | undefined {
    const invocation = [...this.invocations.values()][index];
    return invocation && { responseCode: invocation.responseCode, stdout: invocation.stdout };
  }

  stateOf(instanceId: string): string | undefined {
    return this.instances.get(instanceId)?.state;
  }

  async close(): Promise<void> {
    for (const invocation of this.invocations.values()) invocation.kill();
    await Promise.all([...this.invocations.values()].map((invocation) => invocation.done));
    await this.server?.close();
  }

  /** Instances that are pending or running now (what "nothing left running" checks). */
  liveInstances(): string[] {
    return [...this.instances.entries()]
      .filter(([, instance]) => instance.state === 'running' || instance.state === 'pending')
      .map(([id]) => id);
  }

  /**
   * Raise a spot interruption notice on a running spot instance, as EC2 does two minutes before it reclaims
   * it: the instance's metadata service answers `spot/instance-action` from now on, and EC2 terminates the
   * instance once the command running on it has ended (or after `reclaimAfterMs`).
   */
  interrupt(instanceId: string, reclaimAfterMs = 20_000): void {
    const instance = this.instances.get(instanceId);
    if (!instance?.spot || instance.state !== 'running')
      throw new Error(`${instanceId} is not a running spot instance`);
    instance.notice = {
      action: 'terminate',
      time: new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const running = [...this.invocations.values()].filter((i) => i.instanceId === instanceId);
    const reclaim = () => {
      if (instance.state === 'terminated') return;
      for (const invocation of running) invocation.kill();
      instance.state = 'terminated';
      instance.stateReason = undefined;
    };
    void Promise.race([
      Promise.all(running.map((invocation) => invocation.done)),
      new Promise((resolve) => setTimeout(resolve, reclaimAfterMs).unref()),
    ]).then(reclaim);
  }

  /** The base URL of one instance's metadata service (what its runner gets as AWS_EC2_METADATA_SERVICE_ENDPOINT). */
  imdsEndpoint(instanceId: string): string {
    return `${this.url}/imds/${instanceId}`;
  }

  private async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
    if (request.path.startsWith('/imds/')) return this.handleImds(request, response);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('AmazonSSM.')) {
      return this.handleSsm(
        target.slice('AmazonSSM.'.length),
        JSON.parse(request.body.toString() || '{}'),
        response,
      );
    }
    return this.handleEc2(new URLSearchParams(request.body.toString()), response);
  }

  // ---- EC2 (Query protocol, XML) ----

  private handleEc2(params: URLSearchParams, response: ServerResponse): void {
    const action = params.get('Action') ?? '';
    this.actions.push(action);
    const ids = [...params.entries()]
      .filter(([key]) => /^InstanceId\.\d+$/.test(key))
      .map(([, value]) => value);
    try {
      this.faults.take(action);
      if (action === 'RunInstances') return this.ec2Ok(response, action, this.runInstances(params));
      const unknown = ids.find((id) => !this.instances.has(id));
      if (unknown)
        return this.ec2Error(
          response,
          400,
          'InvalidInstanceID.NotFound',
          `The instance ID '${unknown}' does not exist`,
        );
      if (action === 'DescribeInstances')
        return this.ec2Ok(response, action, this.describeXml(this.select(ids, params)));
      if (action === 'TerminateInstances') return this.ec2Ok(response, action, this.terminateXml(ids));
      if (action === 'StartInstances') return this.ec2Ok(response, action, this.transitionXml(ids, 'start'));
      if (action === 'StopInstances') return this.ec2Ok(response, action, this.transitionXml(ids, 'stop'));
      return this.ec2Error(
        response,
        400,
        'InvalidAction',
        `The action ${action} is not valid for this web service.`,
      );
    } catch (error) {
      const fault = error as { name: string; message: string; status: number };
      return this.ec2Error(response, fault.status, fault.name, fault.message);
    }
  }

  private advance(instance: FakeInstance): void {
    if (instance.state !== 'pending' && instance.state !== 'stopping') return;
    if (instance.pollsLeft > 0) {
      instance.pollsLeft -= 1;
      return;
    }
    instance.state = instance.state === 'pending' ? 'running' : 'stopped';
  }

  private describeXml(ids: string[]): string {
    const items = ids.map((id) => {
      const instance = this.instances.get(id) as FakeInstance;
      this.advance(instance);
      const reason = instance.stateReason
        ? `<stateReason><code>Server.InsufficientInstanceCapacity</code><message>${xmlEscape(instance.stateReason)}</message></stateReason>`
        : '';
      return (
        `<item><reservationId>r-${id.slice(2, 10)}</reservationId><ownerId>123456789012</ownerId><instancesSet><item>` +
        `<instanceId>${id}</instanceId><instanceType>${instance.instanceType}</instanceType>` +
        (instance.spot ? '<instanceLifecycle>spot</instanceLifecycle>' : '') +
        (instance.imageId ? `<imageId>${instance.imageId}</imageId>` : '') +
        `<instanceState><code>${STATE_CODES[instance.state]}</code><name>${instance.state}</name></instanceState>` +
        `<launchTime>${instance.launchTime}</launchTime>${reason}</item></instancesSet></item>`
      );
    });
    return `<reservationSet>${items.join('')}</reservationSet>`;
  }

  /** DescribeInstances: the given ids, or every instance matching the `client-token` filter, or all. */
  private select(ids: string[], params: URLSearchParams): string[] {
    if (ids.length > 0) return ids;
    const filter = [...params.entries()].find(
      ([key, value]) => /^Filter\.\d+\.Name$/.test(key) && value === 'client-token',
    );
    const all = [...this.instances.keys()];
    if (!filter) return all;
    const token = params.get(filter[0].replace(/Name$/, 'Value.1'));
    return all.filter((id) => this.instances.get(id)?.clientToken === token);
  }

  /**
   * RunInstances from a known launch template (issue 12): idempotent on ClientToken, spot when
   * InstanceMarketOptions say so, tagged as asked. Capacity errors come from `faults`.
   */
  private runInstances(params: URLSearchParams): string {
    const template =
      params.get('LaunchTemplate.LaunchTemplateId') ?? params.get('LaunchTemplate.LaunchTemplateName') ?? '';
    const known = this.options.launchTemplates?.[template];
    if (!known)
      throw Object.assign(
        new Error(`The specified launch template, with template ID ${template}, does not exist.`),
        {
          name: 'InvalidLaunchTemplateId.NotFound',
          status: 400,
        },
      );
    const token = params.get('ClientToken') ?? undefined;
    let id = token
      ? [...this.instances.keys()].find((key) => this.instances.get(key)?.clientToken === token)
      : undefined;
    if (!id) {
      this.launchCount += 1;
      id = `i-0${this.launchCount.toString(16).padStart(16, 'a')}`;
      const tags: Record<string, string> = {};
      for (const [key, value] of params.entries()) {
        const match = /^TagSpecification\.(\d+)\.Tag\.(\d+)\.Key$/.exec(key);
        if (match && params.get(`TagSpecification.${match[1]}.ResourceType`) === 'instance')
          tags[value] = params.get(`TagSpecification.${match[1]}.Tag.${match[2]}.Value`) ?? '';
      }
      const settings = { pendingPolls: 1, stoppingPolls: 1, agentPolls: 1, ...this.options.launched };
      const spot = params.get('InstanceMarketOptions.MarketType') === 'spot';
      this.instances.set(id, {
        state: 'pending',
        launchTime: new Date().toISOString(),
        pollsLeft: settings.pendingPolls,
        agentPollsLeft: settings.agentPolls,
        options: settings,
        instanceType: params.get('InstanceType') ?? 'trn1.2xlarge',
        spot,
        ...(token ? { clientToken: token } : {}),
        tags,
        imageId: known.imageId,
        launchTemplate: template,
      });
      this.launches.push({ instanceId: id, spot, launchTemplate: template, tags });
    }
    return `<reservationId>r-${id.slice(2, 10)}</reservationId><ownerId>123456789012</ownerId>${this.describeXml(
      [id],
    )
      .replace(/^<reservationSet><item><reservationId>[^<]*<\/reservationId><ownerId>[^<]*<\/ownerId>/, '')
      .replace(/<\/item><\/reservationSet>$/, '')}`;
  }

  private terminateXml(ids: string[]): string {
    const items = ids.map((id) => {
      const instance = this.instances.get(id) as FakeInstance;
      const previous = instance.state;
      this.terminations.push(id);
      if (previous !== 'terminated')
        for (const invocation of this.invocations.values())
          if (invocation.instanceId === id) invocation.kill();
      instance.state = 'terminated';
      const state = (name: string) => `<code>${STATE_CODES[name]}</code><name>${name}</name>`;
      return `<item><instanceId>${id}</instanceId><currentState>${state('terminated')}</currentState><previousState>${state(previous)}</previousState></item>`;
    });
    return `<instancesSet>${items.join('')}</instancesSet>`;
  }

  // ---- the instance metadata service, IMDSv2 (one per instance, under /imds/<instance id>) ----

  private handleImds(request: RecordedRequest, response: ServerResponse): void {
    const [, , instanceId = '', ...rest] = request.path.split('/');
    const path = `/${rest.join('/')}`;
    const instance = this.instances.get(instanceId);
    const answer = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(body);
    };
    if (!instance || instance.state === 'terminated') return answer(404, 'Not Found');
    if (path === '/latest/api/token') {
      if (request.method !== 'PUT' || !request.headers['x-aws-ec2-metadata-token-ttl-seconds'])
        return answer(400, 'Bad Request');
      return answer(200, `imds-token-${instanceId}`);
    }
    if (request.headers['x-aws-ec2-metadata-token'] !== `imds-token-${instanceId}`)
      return answer(401, 'Unauthorized');
    const metadata: Record<string, string | undefined> = {
      '/latest/meta-data/instance-id': instanceId,
      '/latest/meta-data/instance-type': instance.instanceType,
      '/latest/meta-data/ami-id': instance.imageId,
      '/latest/meta-data/instance-life-cycle': instance.spot ? 'spot' : 'on-demand',
      '/latest/meta-data/spot/instance-action': instance.notice && JSON.stringify(instance.notice),
    };
    const body = metadata[path];
    return body === undefined ? answer(404, 'Not Found') : answer(200, body);
  }

  private transitionXml(ids: string[], kind: 'start' | 'stop'): string {
    const items = ids.map((id) => {
      const instance = this.instances.get(id) as FakeInstance;
      const previous = instance.state;
      if (kind === 'start') {
        if (previous === 'stopping') {
          throw Object.assign(
            new Error(`The instance '${id}' is not in a state from which it can be started.`),
            {
              name: 'IncorrectInstanceState',
              status: 400,
            },
          );
        }
        if (previous === 'stopped') {
          instance.state = 'pending';
          instance.pollsLeft = instance.options.pendingPolls;
          instance.agentPollsLeft = instance.options.agentPolls;
          instance.launchTime = new Date().toISOString();
        }
      } else if (previous === 'running' || previous === 'pending') {
        instance.state = 'stopping';
        instance.pollsLeft = instance.options.stoppingPolls;
      }
      const state = (name: string) => `<code>${STATE_CODES[name]}</code><name>${name}</name>`;
      return `<item><instanceId>${id}</instanceId><currentState>${state(instance.state)}</currentState><previousState>${state(previous)}</previousState></item>`;
    });
    return `<instancesSet>${items.join('')}</instancesSet>`;
  }

  private ec2Ok(response: ServerResponse, action: string, inner: string): void {
    response.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${randomUUID()}</requestId>${inner}</${action}Response>`,
    );
  }

  private ec2Error(response: ServerResponse, status: number, code: string, message: string): void {
    response.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
    response.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
    );
  }

  // ---- SSM (JSON 1.1) ----

  private handleSsm(operation: string, body: Record<string, unknown>, response: ServerResponse): void {
    this.actions.push(operation);
    try {
      this.faults.take(operation);
      const reply = this.ssmOperation(operation, body);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(reply));
    } catch (error) {
      const fault = error as { name: string; message: string; status?: number };
      response.writeHead(fault.status ?? 400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: fault.name, message: fault.message }));
    }
  }

  private ssmOperation(operation: string, body: Record<string, unknown>): unknown {
    switch (operation) {
      case 'DescribeInstanceInformation':
        return this.instanceInformation(body);
      case 'SendCommand':
        return this.sendCommand(body);
      case 'GetCommandInvocation':
        return this.getInvocation(body);
      case 'ListCommands':
        return this.listCommands(body);
      case 'CancelCommand': {
        const invocation = this.invocations.get(String(body.CommandId));
        invocation?.kill();
        return {};
      }
      default:
        throw Object.assign(new Error(`unsupported operation ${operation}`), {
          name: 'UnsupportedOperation',
        });
    }
  }

  private instanceInformation(body: Record<string, unknown>): unknown {
    const filters = (body.Filters as { Key: string; Values: string[] }[] | undefined) ?? [];
    const wanted = filters.find((filter) => filter.Key === 'InstanceIds')?.Values ?? [
      ...this.instances.keys(),
    ];
    const list = wanted.flatMap((id) => {
      const instance = this.instances.get(id);
      if (!instance || instance.state !== 'running') return [];
      if (instance.agentPollsLeft > 0) {
        instance.agentPollsLeft -= 1;
        return [];
      }
      return [{ InstanceId: id, PingStatus: 'Online', PlatformType: 'Linux', AgentVersion: '3.3.0.0' }];
    });
    return { InstanceInformationList: list };
  }

  private sendCommand(body: Record<string, unknown>): unknown {
    const [instanceId] = (body.InstanceIds as string[] | undefined) ?? [];
    const instance = instanceId ? this.instances.get(instanceId) : undefined;
    if (!instanceId || !instance || instance.state !== 'running' || instance.agentPollsLeft > 0) {
      throw Object.assign(new Error('Instances [[' + instanceId + ']] not in a valid state for account'), {
        name: 'InvalidInstanceId',
      });
    }
    const parameters = (body.Parameters as Record<string, string[]> | undefined) ?? {};
    const sent: SentCommand = {
      instanceId,
      documentName: String(body.DocumentName),
      commands: parameters.commands ?? [],
      executionTimeout: parameters.executionTimeout?.[0],
      timeoutSeconds: body.TimeoutSeconds as number | undefined,
      comment: body.Comment as string | undefined,
    };
    this.sent.push(sent);
    if (sent.documentName !== 'AWS-RunShellScript') {
      throw Object.assign(new Error(`document ${sent.documentName} is not supported by this fake`), {
        name: 'InvalidDocument',
      });
    }
    const commandId = randomUUID();
    this.invocations.set(commandId, this.execute(commandId, instanceId, sent));
    return {
      Command: {
        CommandId: commandId,
        DocumentName: sent.documentName,
        InstanceIds: [instanceId],
        Status: 'Pending',
      },
    };
  }

  /** Run the commands as the agent does: one `sh` script, its own process group, killed at executionTimeout. */
  private execute(commandId: string, instanceId: string, sent: SentCommand): FakeInvocation {
    const script = sent.commands.join('\n');
    const child = spawn('sh', ['-c', this.agentScript ? this.agentScript(script) : script], {
      // Each "instance" has its own metadata service (issue 12): the SDKs' and the runner's standard override.
      env: {
        ...(typeof this.options.commandEnv === 'function'
          ? this.options.commandEnv(instanceId)
          : this.options.commandEnv),
        AWS_EC2_METADATA_SERVICE_ENDPOINT: this.imdsEndpoint(instanceId),
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const invocation: FakeInvocation = {
      commandId,
      instanceId,
      comment: sent.comment,
      requestedAt: Date.now(),
      status: 'InProgress',
      statusDetails: 'InProgress',
      responseCode: -1,
      stdout: '',
      stderr: '',
      lagLeft: this.options.invocationLagPolls ?? 0,
      kill: () => killGroup(child.pid),
      done: Promise.resolve(),
    };
    child.stdout.on(
      'data',
      (chunk: Buffer) => (invocation.stdout = (invocation.stdout + chunk.toString()).slice(0, 24_000)),
    );
    child.stderr.on(
      'data',
      (chunk: Buffer) => (invocation.stderr = (invocation.stderr + chunk.toString()).slice(0, 8_000)),
    );
    const limit = Number(sent.executionTimeout ?? 3600) * 1000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, limit);
    invocation.done = new Promise((resolve) => {
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) {
          Object.assign(invocation, {
            status: 'TimedOut',
            statusDetails: 'Execution Timed Out',
            responseCode: -1,
          });
          invocation.stderr += '\nfailed to run commands: exit status 143';
        } else if (code === 0) {
          Object.assign(invocation, { status: 'Success', statusDetails: 'Success', responseCode: 0 });
        } else {
          Object.assign(invocation, { status: 'Failed', statusDetails: 'Failed', responseCode: code ?? -1 });
        }
        resolve();
      });
    });
    return invocation;
  }

  /**
   * ListCommands by instance with the `InvokedAfter` filter, newest first, paged by `MaxResults` (SSM's own
   * order and page size rules). Any other filter key is refused, so a test notices a lookup this fake ignores.
   */
  private listCommands(body: Record<string, unknown>): unknown {
    const filters = (body.Filters as { key: string; value: string }[] | undefined) ?? [];
    let after = 0;
    for (const filter of filters) {
      if (filter.key !== 'InvokedAfter')
        throw Object.assign(new Error(`filter ${filter.key} is not supported by this fake`), {
          name: 'InvalidFilterKey',
        });
      after = new Date(filter.value).getTime();
    }
    const instanceId = body.InstanceId as string | undefined;
    const all = [...this.invocations.values()]
      .filter((invocation) => !instanceId || invocation.instanceId === instanceId)
      .filter((invocation) => invocation.requestedAt >= after)
      .sort((a, b) => b.requestedAt - a.requestedAt);
    const start = Number(body.NextToken ?? 0);
    const size = Number(body.MaxResults ?? 50);
    const page = all.slice(start, start + size);
    return {
      Commands: page.map((invocation) => ({
        CommandId: invocation.commandId,
        Comment: invocation.comment ?? '',
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [invocation.instanceId],
        RequestedDateTime: invocation.requestedAt / 1000,
        Status: invocation.status,
      })),
      ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
    };
  }

  private getInvocation(body: Record<string, unknown>): unknown {
    const invocation = this.invocations.get(String(body.CommandId));
    if (!invocation || invocation.instanceId !== body.InstanceId || invocation.lagLeft > 0) {
      if (invocation) invocation.lagLeft -= 1;
      throw Object.assign(new Error(''), { name: 'InvocationDoesNotExist' });
    }
    const finished = invocation.status !== 'InProgress';
    return {
      CommandId: invocation.commandId,
      InstanceId: invocation.instanceId,
      DocumentName: 'AWS-RunShellScript',
      Status: invocation.status,
      StatusDetails: invocation.statusDetails,
      ResponseCode: invocation.responseCode,
      // Like SSM, the output is there once the invocation has finished.
      StandardOutputContent: finished ? invocation.stdout : '',
      StandardErrorContent: finished ? invocation.stderr : '',
    };
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
