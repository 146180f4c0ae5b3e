/**
 * The worker script the page starts. It serves one of two roles, by the name it was started with: the
 * training worker (the page's), or a pool worker that the training worker starts on wasm to share each
 * batch. One script for both, so the browser downloads and compiles TensorFlow.js once.
 */
import { POOL_WORKER_NAME } from './pool/poolProtocol';
import { servePool } from './pool/poolWorker';
import { serveTrainer } from './trainingWorker';

declare const self: DedicatedWorkerGlobalScope;

if (self.name === POOL_WORKER_NAME) void servePool();
else serveTrainer();
