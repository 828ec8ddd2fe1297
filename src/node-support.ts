/**
 * Which Node versions Sherpa runs on (issue 14, item 6): Node 22, and Node 20.12+ until the AWS SDK for
 * JavaScript drops it. Its releases after the first week of January 2027 require Node 22 (aws/aws-sdk-js-v3#7983),
 * and on Node 20 every SDK client prints a NodeVersionSupportWarning to stderr at start. The SDK documents one
 * switch for that warning, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true; `npm start` sets it (unless the
 * operator set it either way) and says the same thing once in Sherpa's own log instead, with what to do.
 */
export const NODE_20_END = 'January 2027';

export function nodeMajor(version = process.versions.node): number {
  return Number(version.split('.')[0]);
}

/** Set the SDK's documented switch on Node 20; returns the log line to write once a logger exists, if any. */
export function quietAwsSdkNodeWarning(
  env: NodeJS.ProcessEnv = process.env,
  version = process.versions.node,
): string | undefined {
  if (nodeMajor(version) >= 22) return undefined;
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (
    `Node ${version} is supported until ${NODE_20_END}: AWS SDK releases after the first week of ` +
    `${NODE_20_END} require Node 22. Upgrade to Node 22 before updating dependencies then.`
  );
}
