/**
 * Untrusted text as it reaches a message: a scraped title, a model's reply, a run's log line or an error a
 * source answered can hold mentions, links and mrkdwn control characters. Builders must show it as typed.
 */
export const HOSTILE =
  '<!channel> @channel & <https://evil.example|click me> *bold* _it_ ~gone~ `tick` >quote';
