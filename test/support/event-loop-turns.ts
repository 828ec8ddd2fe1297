/**
 * Counts the event loop's turns (a `setImmediate` that queues itself again) until stopped: a test of work done in
 * slices (issue 14) reads how many turns passed while the work ran, which is 0 for work done in one go.
 */
export function countEventLoopTurns(): { turns(): number; stop(): void } {
  let turns = 0;
  let ticking = true;
  const tick = () => {
    if (!ticking) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return { turns: () => turns, stop: () => void (ticking = false) };
}
