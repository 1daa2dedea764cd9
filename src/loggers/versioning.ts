/** `saveDir/name/version_N` resolution shared by the file loggers (Lightning's `_get_next_version`). */
import { joinPath, type LogFileSystem } from './file-system.js';

/** Next free version number in `rootDir`: the largest `version_<int>` directory + 1, or 0 when none (or no dir). */
export function nextVersion(fs: LogFileSystem, rootDir: string): number {
  if (!fs.isDirectory(rootDir)) return 0;
  let max = -1;
  for (const entry of fs.readdir(rootDir)) {
    const match = /^version_(\d+)$/.exec(entry);
    if (match?.[1] !== undefined && fs.isDirectory(joinPath(rootDir, entry))) max = Math.max(max, Number(match[1]));
  }
  return max + 1;
}

/** Where a versioned run lives; the version is resolved lazily (first access) and then fixed. */
export class VersionedRunDir {
  private resolved: number | string | undefined;

  constructor(
    private readonly fs: LogFileSystem,
    /** Directory the experiment folders live in. */
    readonly saveDir: string,
    /** Experiment name; an empty name puts versions directly in `saveDir`. */
    readonly name: string,
    version: number | string | undefined,
  ) {
    this.resolved = version;
  }

  /** `saveDir/name`. */
  get rootDir(): string {
    return joinPath(this.saveDir, this.name);
  }

  /** The version: given, or the next free number in `rootDir` at first access. */
  get version(): number | string {
    this.resolved ??= nextVersion(this.fs, this.rootDir);
    return this.resolved;
  }

  /** `rootDir/version_<n>`, or `rootDir/<version>` for a string version. */
  get logDir(): string {
    const v = this.version;
    return joinPath(this.rootDir, typeof v === 'string' ? v : `version_${v}`);
  }
}
