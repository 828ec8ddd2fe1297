/** Lets a virtual clock run until `done()` holds (each setImmediate turn may fire the next timer). */
export async function until(done: () => boolean | Promise<boolean>, turns = 20_000): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) {
    if (await done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
