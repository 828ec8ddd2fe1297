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
  /** The environment the "instance" runs commands with (its PATH, its own settings). */
  commandEnv: NodeJS.ProcessEnv;
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

  private async handle(request: RecordedRequest, response: ServerResponse): Promise<void> {
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
      const unknown = ids.find((id) => !this.instances.has(id));
      if (unknown)
        return this.ec2Error(
          response,
          400,
          'InvalidInstanceID.NotFound',
          `The instance ID '${unknown}' does not exist`,
        );
      if (action === 'DescribeInstances') return this.ec2Ok(response, action, this.describeXml(ids));
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
        `<instanceId>${id}</instanceId><instanceType>trn1.2xlarge</instanceType>` +
        `<instanceState><code>${STATE_CODES[instance.state]}</code><name>${instance.state}</name></instanceState>` +
        `<launchTime>${instance.launchTime}</launchTime>${reason}</item></instancesSet></item>`
      );
    });
    return `<reservationSet>${items.join('')}</reservationSet>`;
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
      env: this.options.commandEnv,
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
