import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { SlackFake } from '../../test/support/slack-fake/index.js';

/**
 * The floor for ack latency (issue 14, item 3): a Bolt app in Socket Mode with one listener that only acks
 * `/paper`, connected to its own Slack fake the same way Sherpa connects (`SLACK_API_URL`, a receiver built
 * by hand). Whatever Sherpa's ack costs beyond this is Sherpa's own work.
 */
export async function startBareBoltApp(fake: SlackFake): Promise<{ stop(): Promise<void> }> {
  const clientOptions = { slackApiUrl: fake.apiUrl };
  const receiver = new SocketModeReceiver({
    appToken: fake.identity.appToken,
    logLevel: LogLevel.ERROR,
    installerOptions: { clientOptions },
  });
  const app = new App({ token: fake.identity.botToken, receiver, clientOptions, logLevel: LogLevel.ERROR });
  app.command('/paper', async ({ ack }) => {
    await ack();
  });
  await app.start();
  await fake.waitForConnection();
  return {
    async stop() {
      await receiver.client.disconnect();
    },
  };
}
