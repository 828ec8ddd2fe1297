import type { FakeMessage } from './slack-fake/index.js';

/**
 * Waiting on and reading what the Slack fake holds, shared by the app tests of issue 13's evolve flows: poll a
 * probe until it answers (a value other than undefined or false), and read a message's text and buttons.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 15_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Everything a message says: its blocks (as JSON) and its fallback text. */
export const textOf = (message: FakeMessage | undefined): string =>
  JSON.stringify(message?.blocks ?? []) + (message?.text ?? '');

export interface FakeButton {
  action_id: string;
  value?: string;
  text?: { text?: string };
}

/** The buttons of a message's actions blocks, in order. */
export const buttonsOf = (message: FakeMessage | undefined): FakeButton[] =>
  ((message?.blocks ?? []) as Array<{ type: string; elements?: FakeButton[] }>)
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements ?? []);

/** A button's value in a message's blocks, by its action id. */
export function buttonValue(message: FakeMessage | undefined, actionId: string): string | undefined {
  for (const block of (message?.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]) {
    const button = block.elements?.find((element) => element.action_id === actionId);
    if (button) return button.value;
  }
  return undefined;
}
