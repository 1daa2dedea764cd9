// Loads the compiled addon. A missing build or missing shared library becomes `addonError` (with how to fix it)
// instead of an exception, so the framework can fall back to another backend with a one-line explanation.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [join(root, 'build', 'Release', 'lightning_native.node'), join(root, 'build', 'Debug', 'lightning_native.node')];

/** How to install the system libraries and build the addon (one line). */
export const BUILD_HINT =
  'install OpenBLAS and oneDNN (Debian/Ubuntu: apt-get install libopenblas-dev libdnnl-dev; Fedora: dnf install openblas-devel onednn-devel; macOS: brew install openblas onednn) and rebuild with `npm rebuild @lightning-ts/backend-native`';

/**
 * Thread-pool settings read once when OpenMP (libgomp) and OpenBLAS load with the addon: worker threads sleep
 * right after a parallel region instead of spinning, which otherwise steals the cores from the single-threaded
 * loops that follow (and, on a busy machine, slows every step several-fold). User settings win; the variables are
 * restored afterwards so child processes do not inherit them.
 */
const THREAD_ENV = { OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_THREAD_TIMEOUT: '4' };

function withThreadEnv(f) {
  const saved = {};
  for (const [k, v] of Object.entries(THREAD_ENV)) {
    saved[k] = process.env[k];
    if (saved[k] === undefined) process.env[k] = v;
  }
  try {
    return f();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  }
}

function load() {
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    return { addon: undefined, error: `the addon is not built (no build/Release/lightning_native.node); ${BUILD_HINT}` };
  }
  try {
    return { addon: withThreadEnv(() => createRequire(import.meta.url)(path)), error: undefined };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    return { addon: undefined, error: `the addon failed to load (${message}); ${BUILD_HINT}` };
  }
}

const loaded = load();

/** The native functions, or undefined when the addon could not be loaded. */
export const addon = loaded.addon;
/** Why the addon is unavailable (undefined when it loaded). */
export const addonError = loaded.error;
