import { escapeMrkdwn } from './mrkdwn.js';
import { formatDuration } from './format-units.js';
import type { InstanceReport, InstanceView } from './digest-data.js';

const STATE_MARKS: Record<string, string> = {
  running: '🟢',
  pending: '🟡',
  stopping: '🟡',
  stopped: '⚪',
  'shutting-down': '🔴',
  terminated: '🔴',
};

/** `🟢 i-0abc (trn1.2xlarge): running for 2 h 5 min`: uptime counts from the instance's last start. */
export function instanceLine(status: InstanceView, now: Date): string {
  const type = status.instanceType ? ` (${escapeMrkdwn(status.instanceType)})` : '';
  const uptime =
    status.state === 'running' && status.launchedAt
      ? ` for ${formatDuration((now.getTime() - Date.parse(status.launchedAt)) / 1000)}`
      : '';
  return `${STATE_MARKS[status.state] ?? '•'} \`${escapeMrkdwn(status.instanceId)}\`${type}: ${status.state}${uptime}`;
}

/** The instances as lines, or one line saying why there are none to show. */
export function instanceLines(report: InstanceReport, now: Date): string[] {
  if (report.kind === 'none') return ['_Runs are off here (`COMPUTE=none`)._'];
  if (report.kind === 'unavailable')
    return [`_Could not read the instances: ${escapeMrkdwn(report.reason)}_`];
  if (report.statuses.length === 0) return ['_No instances configured._'];
  return report.statuses.map((status) => instanceLine(status, now));
}
