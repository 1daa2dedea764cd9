/** V8's sampling CPU profiler through `node:inspector` (Node only; loaded lazily by `AdvancedProfiler`). */
import { Session } from 'node:inspector';
import type { CpuProfilerBackend } from './advanced-profiler.js';

/** Profiles this process's main thread; `stop()` returns the `.cpuprofile` JSON. */
export class NodeCpuProfiler implements CpuProfilerBackend {
  private session: Session | undefined;

  private post(method: string, params?: object): Promise<unknown> {
    const session = this.session;
    if (session === undefined) return Promise.reject(new Error('The CPU profiler is not started.'));
    return new Promise((resolve, reject) => {
      session.post(method, params ?? {}, (err, result) => (err === null ? resolve(result) : reject(err)));
    });
  }

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.start');
  }

  async stop(): Promise<string> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    await this.post('Profiler.disable');
    this.session?.disconnect();
    this.session = undefined;
    return JSON.stringify(profile);
  }
}
