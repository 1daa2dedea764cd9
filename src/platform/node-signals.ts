/** Graceful interruption in Node: the first SIGINT/SIGTERM asks the loop to stop after the batch; a second one exits. */

/** Install SIGINT/SIGTERM handlers on `process`; returns a function that removes them. */
export function installNodeSignalHandlers(onFirstSignal: (signal: string) => void): () => void {
  let received = 0;
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      received += 1;
      if (received > 1) process.exit(130);
      onFirstSignal(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
