import type { AnyMiddlewareArgs } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ListenerRouter } from '../../handlers/listener-router.js';

const listener = (name: string) => Object.assign(async () => undefined, { listenerName: name });

function router(): ListenerRouter {
  const routes = new ListenerRouter();
  routes.command('/paper', listener('paper'));
  routes.action('paper.generate_code_v1', listener('generate'));
  routes.view('paper.reject_reason', listener('reject'));
  routes.event('app_home_opened', listener('home'));
  return routes;
}

const nameOf = (routes: ListenerRouter, args: unknown) =>
  (routes.listenerFor(args as AnyMiddlewareArgs) as { listenerName?: string } | undefined)?.listenerName;

describe('ListenerRouter', () => {
  it('finds the one listener for a command, a block action, a view submission and an event by key', () => {
    const routes = router();
    expect(nameOf(routes, { body: {}, command: { command: '/paper' } })).toBe('paper');
    expect(
      nameOf(routes, {
        body: { type: 'block_actions' },
        action: { action_id: 'paper.generate_code_v1' },
      }),
    ).toBe('generate');
    expect(
      nameOf(routes, { body: { type: 'view_submission' }, view: { callback_id: 'paper.reject_reason' } }),
    ).toBe('reject');
    expect(nameOf(routes, { body: {}, event: { type: 'app_home_opened' } })).toBe('home');
  });

  it('finds nothing for keys nobody registered, view closes, or actions that are not block actions', () => {
    const routes = router();
    expect(nameOf(routes, { body: {}, command: { command: '/deploy' } })).toBeUndefined();
    expect(
      nameOf(routes, { body: { type: 'block_actions' }, action: { action_id: 'other' } }),
    ).toBeUndefined();
    expect(
      nameOf(routes, {
        body: { type: 'interactive_message' },
        action: { action_id: 'paper.generate_code_v1' },
      }),
    ).toBeUndefined();
    expect(
      nameOf(routes, { body: { type: 'view_closed' }, view: { callback_id: 'paper.reject_reason' } }),
    ).toBeUndefined();
    expect(nameOf(routes, { body: {}, event: { type: 'app_mention' } })).toBeUndefined();
  });

  it('refuses a second listener for the same key (Bolt would have run both)', () => {
    const routes = router();
    expect(() => routes.action('paper.generate_code_v1', listener('again'))).toThrow(/Two action listeners/);
  });
});
