/**
 * Preload that runs the whole test suite on the native backend: the tests select `cpu` (the reference backend),
 * so this makes the backend named `cpu` a native backend with the native kernels. Usage:
 *   node --import tsx --import ./tests/native/cpu-is-native.ts --test $(find tests -name '*.test.ts')
 */
import { tf } from '../../src/runtime/tf.js';

interface NativeModule {
  isNativeAvailable: boolean;
  nativeUnavailableReason: string | undefined;
}

const specifier = '@lightning-ts/backend-native';
const native = (await import(specifier)) as NativeModule;
if (!native.isNativeAvailable) throw new Error(`The native backend is unavailable: ${native.nativeUnavailableReason ?? ''}`);

const factory = tf.findBackendFactory('native');
if (factory === null) throw new Error('The native backend did not register.');
for (const config of tf.getKernelsForBackend('native')) {
  if (tf.getKernel(config.kernelName, 'cpu') !== undefined) tf.unregisterKernel(config.kernelName, 'cpu');
  tf.registerKernel({ ...config, backendName: 'cpu' });
}
tf.removeBackend('cpu');
tf.registerBackend('cpu', factory, 1);
