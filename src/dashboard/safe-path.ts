/** Maps a requested file path onto a regular file inside the log dir, or says why it is refused (no traversal, no listing). */
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** A file that may be served, or the HTTP status and reason of a refusal. */
export type ResolvedFile = { ok: true; path: string; size: number } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Resolve `requested` (the percent-encoded part of a URL after `/files/`) to a regular file under `logDir`.
 * Refused: `..` and `.` segments, absolute paths, backslashes, NUL bytes, hidden (`.name`) segments, directories,
 * and anything whose real path (symbolic links resolved) is outside the log dir's real path.
 */
export function resolveLogFile(logDir: string, requested: string): ResolvedFile {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requested);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400, reason: 'NUL bytes and backslashes are not allowed' };
  if (decoded.startsWith('/') || /^[A-Za-z]:/.test(decoded)) return { ok: false, status: 403, reason: 'absolute paths are refused' };
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, reason: '"." and ".." segments are refused' };
  if (segments.some((s) => s === '')) return { ok: false, status: 403, reason: 'empty path segments and directories are refused' };
  if (segments.some((s) => s.startsWith('.'))) return { ok: false, status: 403, reason: 'hidden files are refused' };
  let root: string;
  let real: string;
  try {
    root = realpathSync(logDir);
    real = realpathSync(join(root, ...segments));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!real.startsWith(root + sep)) return { ok: false, status: 403, reason: 'the file is outside the log dir' };
  const st = statSync(real);
  if (st.isDirectory()) return { ok: false, status: 403, reason: 'directory listing is refused' };
  if (!st.isFile()) return { ok: false, status: 403, reason: 'not a regular file' };
  return { ok: true, path: real, size: st.size };
}
