import type { Chat, ChatIdentity } from '../ports/chat.js';
import { chatFailure } from './chat-failure.js';
import { type DoctorCheck, failed, passed } from './check.js';

const CHECK = 'slack bot token';

/** `auth.test` with the bot token, and its granted scopes (the `x-oauth-scopes` header) against manifest.yml. */
export function slackAuthCheck(chat: Chat, requiredScopes: readonly string[]): DoctorCheck {
  return {
    name: CHECK,
    async run() {
      let result: ChatIdentity;
      try {
        result = await chat.identity();
      } catch (error) {
        const code = chatFailure(error);
        return [
          failed(
            CHECK,
            'SLACK_BOT_TOKEN',
            `auth.test failed: ${code}`,
            'Copy the Bot User OAuth Token (xoxb-…) from the app’s OAuth & Permissions page; reinstall the app if it was revoked',
          ),
        ];
      }
      const who = `${result.user ?? '?'} in ${result.team ?? '?'} (${result.teamId ?? '?'})`;
      const granted = result.scopes;
      if (!granted) return [passed(CHECK, 'SLACK_BOT_TOKEN', `${who}; Slack did not report the scopes`)];
      const missing = requiredScopes.filter((scope) => !granted.includes(scope));
      if (missing.length > 0) {
        return [
          failed(
            CHECK,
            'SLACK_BOT_TOKEN',
            `${who}; missing scopes: ${missing.join(', ')}`,
            `Add ${missing.join(', ')} under OAuth & Permissions → Bot Token Scopes (as in manifest.yml), then reinstall the app`,
          ),
        ];
      }
      return [
        passed(CHECK, 'SLACK_BOT_TOKEN', `${who}; all ${requiredScopes.length} manifest scopes granted`),
      ];
    },
  };
}
