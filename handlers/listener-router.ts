import type {
  AnyMiddlewareArgs,
  App,
  BlockAction,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';

type AnyListener = Middleware<AnyMiddlewareArgs>;

/**
 * Sherpa's listeners behind one Bolt listener per kind that finds the listener by key (issue 14, item 3).
 * Bolt runs every registered listener's middleware chain for every envelope (each `app.action(id)` is a filter
 * chain of two or three async functions, each called with a fresh copy of the arguments), so with twenty
 * listeners an ack paid for over twenty promises and object spreads before the one listener that matched ran:
 * the largest share of Sherpa's ack CPU above a bare Bolt app in the profile. Here an envelope passes four
 * chains and one map lookup. Keys are exact (command name, action id, view callback id, event type), which is
 * all Sherpa uses; a key registered twice throws, since Bolt would have run both listeners and this runs one.
 *
 * Listeners get exactly what Bolt gives a listener. An envelope no listener claims is left alone, as before (the
 * ack guard acks it if nobody did).
 */
export class ListenerRouter {
  private readonly commands = new Map<string, AnyListener>();
  private readonly actions = new Map<string, AnyListener>();
  private readonly views = new Map<string, AnyListener>();
  private readonly events = new Map<string, AnyListener>();

  command(name: string, listener: Middleware<SlackCommandMiddlewareArgs>): void {
    add(this.commands, 'command', name, listener);
  }

  /** A `block_actions` click on the element with this `action_id`. */
  action(actionId: string, listener: Middleware<SlackActionMiddlewareArgs<BlockAction>>): void {
    add(this.actions, 'action', actionId, listener);
  }

  /** A `view_submission` of the modal with this `callback_id` (as Bolt's `app.view(id)`; closes are not routed). */
  view(callbackId: string, listener: Middleware<SlackViewMiddlewareArgs<ViewSubmitAction>>): void {
    add(this.views, 'view', callbackId, listener);
  }

  event<E extends string>(type: E, listener: Middleware<SlackEventMiddlewareArgs<E>>): void {
    add(this.events, 'event', type, listener);
  }

  /** The listener for this envelope, if one is registered. */
  listenerFor(args: AnyMiddlewareArgs): AnyListener | undefined {
    const body = args.body as unknown as Record<string, unknown>;
    if ('command' in args && args.command) return this.commands.get(args.command.command);
    if ('event' in args && args.event) return this.events.get(args.event.type);
    if ('action' in args && args.action && body.type === 'block_actions') {
      const actionId = (args.action as { action_id?: unknown }).action_id;
      return typeof actionId === 'string' ? this.actions.get(actionId) : undefined;
    }
    if ('view' in args && args.view && body.type === 'view_submission') {
      return this.views.get(args.view.callback_id);
    }
    return undefined;
  }

  /**
   * Four Bolt listeners (any command, any block action, any view submission, any event) that each hand the
   * envelope to its listener by key. Bolt listeners, not global middleware, so that global middleware (the
   * interaction gate, and any a test adds) still runs before every listener, exactly as with `app.action(id)`.
   */
  listen(app: App): void {
    const dispatch: AnyListener = async (args) => {
      const listener = this.listenerFor(args);
      if (listener) await listener(args);
    };
    const ANY = /^/;
    app.command(ANY, dispatch);
    app.action(ANY, dispatch);
    app.view(ANY, dispatch);
    app.event(ANY, dispatch);
  }
}

function add(map: Map<string, AnyListener>, kind: string, key: string, listener: unknown): void {
  if (map.has(key)) throw new Error(`Two ${kind} listeners for ${key}: the router runs only one`);
  map.set(key, listener as AnyListener);
}
