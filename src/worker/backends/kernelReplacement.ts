/**
 * Replacing one of a backend's own kernels with a faster one while keeping it as the fallback for the
 * arguments the replacement does not handle, so correctness never depends on coverage.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export interface KernelReplacement {
  readonly config: KernelConfig;
  /** Runs the kernel this one replaced (throws if there was none). */
  fallback(args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[];
  /** Replaces the registered kernel. Idempotent and silent: unregistering first avoids tfjs's warning. */
  register(): void;
  /** Puts the replaced kernel back (tests, benchmarks, and a way out should a replacement misbehave). */
  unregister(): void;
}

export function kernelReplacement(kernelName: string, backendName: string, kernelFunc: KernelFunc): KernelReplacement {
  let previous: KernelConfig | undefined;
  const config: KernelConfig = {
    kernelName,
    backendName,
    kernelFunc,
    // tfjs runs a kernel's setupFunc (for wasm: binding its C++ function) when the backend starts, and
    // only for the kernels registered then; replaced before that, the fallback must be set up here.
    setupFunc: (backend) => previous?.setupFunc?.(backend),
  };
  return {
    config,
    fallback(args) {
      if (previous == null) {
        throw new Error(`${kernelName} (${backendName}): unsupported arguments and no previous kernel to fall back to`);
      }
      return previous.kernelFunc(args);
    },
    register() {
      const current = getKernel(kernelName, backendName);
      if (current === config) return;
      if (current != null) {
        previous = current;
        unregisterKernel(kernelName, backendName);
      }
      registerKernel(config);
    },
    unregister() {
      if (getKernel(kernelName, backendName) !== config) return;
      unregisterKernel(kernelName, backendName);
      if (previous != null) registerKernel(previous);
    },
  };
}

/** The wasm kernels' replacement helper (what their files call). */
export function wasmKernelReplacement(kernelName: string, kernelFunc: KernelFunc): KernelReplacement {
  return kernelReplacement(kernelName, 'wasm', kernelFunc);
}
