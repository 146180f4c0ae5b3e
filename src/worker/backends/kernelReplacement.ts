/**
 * Replacing one of the wasm backend's own kernels with a faster one while keeping it as the fallback
 * for the arguments the replacement does not handle, so correctness never depends on coverage.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export interface WasmKernelReplacement {
  readonly config: KernelConfig;
  /** Runs the kernel this one replaced (throws if there was none). */
  fallback(args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[];
  /** Replaces the registered kernel. Idempotent and silent: unregistering first avoids tfjs's warning. */
  register(): void;
  /** Puts the replaced kernel back (tests, and a way out should a replacement misbehave). */
  unregister(): void;
}

export function wasmKernelReplacement(kernelName: string, kernelFunc: KernelFunc): WasmKernelReplacement {
  let previous: KernelConfig | undefined;
  const config: KernelConfig = {
    kernelName,
    backendName: 'wasm',
    kernelFunc,
    // tfjs runs a wasm kernel's setupFunc (binding its C++ function) when the backend starts, and
    // only for the kernels registered then; replaced before that, the fallback must be bound here.
    setupFunc: (backend) => previous?.setupFunc?.(backend),
  };
  return {
    config,
    fallback(args) {
      if (previous == null) throw new Error(`${kernelName} (wasm): unsupported arguments and no previous kernel to fall back to`);
      return previous.kernelFunc(args);
    },
    register() {
      const current = getKernel(kernelName, 'wasm');
      if (current === config) return;
      if (current != null) {
        previous = current;
        unregisterKernel(kernelName, 'wasm');
      }
      registerKernel(config);
    },
    unregister() {
      if (getKernel(kernelName, 'wasm') !== config) return;
      unregisterKernel(kernelName, 'wasm');
      if (previous != null) registerKernel(previous);
    },
  };
}
