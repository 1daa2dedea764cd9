/**
 * Cooperative yielding: a training loop that only awaits resolved promises never lets the event loop run, so
 * signals, timers, progress redraws and (in a browser) the page would wait until fit ends. Loops call
 * `maybeYield()` after each batch; it yields a macrotask at most every `intervalMs`.
 */
const schedule: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);

let lastYieldMs = 0;

/** Let pending events (signals, timers, I/O, UI) run. */
export function yieldToEventLoop(): Promise<void> {
  lastYieldMs = performance.now();
  return new Promise((resolve) => schedule(resolve));
}

/** Yield if more than `intervalMs` passed since the last yield (cheap to call every batch). */
export async function maybeYield(intervalMs = 16): Promise<void> {
  if (performance.now() - lastYieldMs >= intervalMs) await yieldToEventLoop();
}
