/** Choosing and initialising the TF.js backend; the framework never hard-codes one. */
import { BackendError } from '../errors.js';
import { tf } from './tf.js';

/**
 * Backends lightning-ts can run on. `"auto"` picks the fastest available for the environment. `"native"` is
 * `@lightning-ts/backend-native` (OpenBLAS + oneDNN through an N-API addon; Node only).
 */
export type BackendName = 'auto' | 'cpu' | 'wasm' | 'native' | 'tensorflow' | 'webgl' | 'webgpu';

/** Packages that provide each backend, for error messages. */
const BACKEND_PACKAGES: Record<Exclude<BackendName, 'auto'>, string> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  native: '@lightning-ts/backend-native',
  tensorflow: '@tensorflow/tfjs-node',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

let wasmBinaryPrefix: string | undefined;

/**
 * Where a browser fetches the wasm backend's `.wasm` files: a URL prefix ending in `/`. Default: the folder of the
 * bundle that contains this module (`scripts/build-browser.mjs` copies the files there). Call before `selectBackend`.
 */
export function setWasmBinaryUrl(prefix: string): void {
  wasmBinaryPrefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Hooks run once after a backend is initialised (gradient and kernel fixes register here). */
const backendInitHooks: Array<(backend: string) => void> = [];

/** Register a function run after `selectBackend` initialises any backend (used by `runtime/patches`). */
export function onBackendSelected(hook: (backend: string) => void): void {
  backendInitHooks.push(hook);
}

/** What `@lightning-ts/backend-native` exports about itself (it registers the backend when imported). */
interface NativeBackendModule {
  isNativeAvailable?: boolean;
  nativeUnavailableReason?: string;
}

/** Import the native backend; a package that is installed but whose addon is not built throws a one-line reason. */
async function importNativeBackend(pkg: string): Promise<void> {
  let mod: NativeBackendModule;
  try {
    mod = (await import(/* @vite-ignore */ pkg)) as NativeBackendModule;
  } catch (cause) {
    throw new BackendError(
      `the package ${pkg} is not installed`,
      `Install it with \`npm install ${pkg}\` on a machine with OpenBLAS and oneDNN (Debian/Ubuntu: apt-get install libopenblas-dev libdnnl-dev), or use accelerator "wasm" or "cpu".`,
      { cause },
    );
  }
  if (mod.isNativeAvailable !== true) {
    throw new BackendError(mod.nativeUnavailableReason ?? 'its addon is unavailable', 'Or use accelerator "wasm" or "cpu".');
  }
}

async function importBackendPackage(name: Exclude<BackendName, 'auto'>): Promise<void> {
  const pkg = BACKEND_PACKAGES[name];
  if (name === 'native') return importNativeBackend(pkg);
  try {
    switch (name) {
      case 'cpu':
        await import('@tensorflow/tfjs-backend-cpu');
        return;
      case 'wasm': {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        // Node reads the binaries from the package; a page fetches them from `setWasmBinaryUrl`'s prefix.
        if (!isNode) wasm.setWasmPaths(wasmBinaryPrefix ?? new URL('./', import.meta.url).href);
        return;
      }
      case 'webgl':
        await import('@tensorflow/tfjs-backend-webgl');
        return;
      case 'webgpu':
        await import('@tensorflow/tfjs-backend-webgpu');
        return;
      default:
        // Optional backends are looked up at run time so a plain install never needs them.
        await import(/* @vite-ignore */ pkg);
    }
  } catch (cause) {
    throw new BackendError(
      `The "${name}" backend needs the package ${pkg}, which could not be loaded.`,
      name === 'tensorflow'
        ? `Install it with \`npm install ${pkg}\` (its install downloads libtensorflow, so it needs internet access), or use accelerator "wasm" or "cpu".`
        : `Install it with \`npm install ${pkg}\`, or choose another accelerator ("auto", "wasm", "cpu").`,
      { cause },
    );
  }
}

async function tryInit(name: Exclude<BackendName, 'auto'>): Promise<boolean> {
  await importBackendPackage(name);
  const ok = await tf.setBackend(name);
  if (ok) await tf.ready();
  return ok && tf.getBackend() === name;
}

/** Order in which `"auto"` tries backends. */
function autoOrder(): Array<Exclude<BackendName, 'auto'>> {
  return isNode ? ['native', 'tensorflow', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
}

/** The result of `selectBackend`: which backend runs, and why. */
export interface BackendChoice {
  name: string;
  reason: string;
}

let current: BackendChoice | undefined;

/**
 * Select and initialise a TF.js backend. `"auto"` prefers native (if built) > tfjs-node (if installed) > wasm > cpu in Node and
 * webgpu > webgl > wasm > cpu in a browser. Throws a `BackendError` naming the package when an explicit choice is missing.
 */
export async function selectBackend(name: BackendName = 'auto'): Promise<BackendChoice> {
  if (current !== undefined && (name === current.name || (name === 'auto' && tf.getBackend() === current.name))) {
    return current;
  }
  if (name !== 'auto') {
    if (!(await tryInit(name))) {
      throw new BackendError(
        `The "${name}" backend was loaded but failed to initialise.`,
        'Use accelerator "cpu", which always works, and report the TF.js warning printed above.',
      );
    }
    current = { name, reason: 'requested explicitly' };
  } else {
    const skipped: string[] = [];
    for (const candidate of autoOrder()) {
      try {
        if (await tryInit(candidate)) {
          current = {
            name: candidate,
            reason: skipped.length === 0 ? 'first choice' : `skipped ${skipped.join('; ')}`,
          };
          break;
        }
        skipped.push(`${candidate} (failed to initialise)`);
      } catch (cause) {
        // The native backend says in one line why it is unavailable and how to enable it.
        const why = candidate === 'native' && cause instanceof BackendError ? cause.message.split('\n')[0] : undefined;
        skipped.push(`${candidate} (${why ?? `${BACKEND_PACKAGES[candidate]} not installed`})`);
      }
    }
    if (current === undefined) {
      throw new BackendError('No TF.js backend could be initialised.', `Install ${BACKEND_PACKAGES.cpu}.`);
    }
  }
  for (const hook of backendInitHooks) hook(current.name);
  return current;
}

/** The backend in use now (after `selectBackend`), or undefined. */
export function currentBackend(): BackendChoice | undefined {
  return current !== undefined && tf.getBackend() === current.name ? current : undefined;
}
