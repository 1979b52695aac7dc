/** How to bring up each tfjs backend Shoal can use; each loader returns a one-line description or throws. */
import * as tf from '@tensorflow/tfjs';
import { snapshotProcessListeners } from './emscripten-listeners.js';
import { registerWasmKernels } from './wasm-kernels/register-wasm-kernels.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

async function activate(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

/** Native TensorFlow through @tensorflow/tfjs-node, an optional dependency that may not be installed. */
async function loadTensorflow(): Promise<string> {
  // A variable specifier keeps TypeScript and bundlers from requiring the optional package.
  const specifier = '@tensorflow/tfjs-node';
  type Versions = { version?: Record<string, string> };
  const tfnode = (await import(specifier)) as Versions & { default?: Versions };
  await activate('tensorflow');
  const version = (tfnode.version ?? tfnode.default?.version)?.['tfjs-node'] ?? 'unknown version';
  return `@tensorflow/tfjs-node ${version} (native TensorFlow)`;
}

/** In Node the .wasm binaries are read from the installed package rather than fetched. */
async function wasmDistDirectory(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(packageJson), 'dist') + path.sep;
}

async function loadWasm(): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (tf.env().getBool('IS_NODE')) wasm.setWasmPaths(await wasmDistDirectory());
  const patched = registerWasmKernels();
  const listeners = snapshotProcessListeners();
  try {
    await activate('wasm');
  } finally {
    listeners.restore();
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  const kernels = patched.length > 0 ? `, Shoal kernels: ${patched.join(', ')}` : '';
  return `@tensorflow/tfjs-backend-wasm ${wasm.version_wasm}, SIMD ${simd ? 'on' : 'off'}, ${threads} thread(s)${kernels}`;
}

async function loadCpu(): Promise<string> {
  await activate('cpu');
  return `@tensorflow/tfjs ${tf.version.tfjs} pure-JS cpu backend`;
}

export const BACKEND_LOADERS: Record<BackendName, () => Promise<string>> = {
  tensorflow: loadTensorflow,
  wasm: loadWasm,
  cpu: loadCpu,
};
