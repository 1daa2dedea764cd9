/** Graceful interruption: the first SIGINT/SIGTERM asks the loop to stop after the batch; a second one exits at once. */

interface SignalProcess {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
  exit(code?: number): never;
}

/** Install handlers when running in Node; returns a function that removes them. Elsewhere a no-op. */
export function installSignalHandlers(onFirstSignal: (signal: string) => void): () => void {
  const proc = (globalThis as { process?: SignalProcess }).process;
  if (proc === undefined || typeof proc.on !== 'function') return () => {};
  let received = 0;
  const handlers = new Map<string, () => void>();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    const handler = (): void => {
      received += 1;
      if (received > 1) proc.exit(130);
      onFirstSignal(signal);
    };
    handlers.set(signal, handler);
    proc.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) proc.off(signal, handler);
  };
}
