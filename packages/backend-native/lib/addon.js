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

function load() {
  const path = candidates.find((p) => existsSync(p));
  if (path === undefined) {
    return { addon: undefined, error: `the addon is not built (no build/Release/lightning_native.node); ${BUILD_HINT}` };
  }
  try {
    return { addon: createRequire(import.meta.url)(path), error: undefined };
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
