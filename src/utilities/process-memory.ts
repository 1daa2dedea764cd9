/** Host memory of the running process (Node's `process.memoryUsage()`), or nothing where it does not exist (browsers). */

/** Memory figures in bytes by name. */
export type MemoryStats = Record<string, number>;

interface NodeLikeProcess {
  memoryUsage?: () => { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers?: number };
}

/** `rss`, `heapTotal`, `heapUsed`, `external`, `arrayBuffers` in bytes; empty outside Node. */
export function processMemoryStats(): MemoryStats {
  const proc = (globalThis as { process?: NodeLikeProcess }).process;
  const usage = proc?.memoryUsage?.();
  if (usage === undefined) return {};
  const out: MemoryStats = { rss: usage.rss, heapTotal: usage.heapTotal, heapUsed: usage.heapUsed, external: usage.external };
  if (usage.arrayBuffers !== undefined) out.arrayBuffers = usage.arrayBuffers;
  return out;
}
