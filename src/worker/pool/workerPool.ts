/**
 * The coordinator's side of data-parallel training on wasm: the pool workers beyond the training worker
 * itself, each asked for one shard at a time. A worker that fails or stops answering fails the pool:
 * the request rejects, the run fails like a failed backend, and the UI replaces the training worker
 * (and with it the pool) and resumes the run from its last checkpoint.
 */
import { BufferShelf } from '../memory/bufferShelf';
import type { PoolCommand, PoolEvent, ReplicaMemory, ShareArrays, WeightArrays } from './poolProtocol';

export interface Classified {
  predicted: Int32Array;
  confidence: Float32Array;
}

/** The part of a Worker the pool uses (a fake in tests). */
export type PoolPort = Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror' | 'onmessageerror'>;

/**
 * How long a worker may take to start, and to answer its first request (which builds its network and
 * XNNPACK's operators): generous, as a slow phone loading a large wasm binary may need it.
 */
const FIRST_ANSWER_TIMEOUT_MS = 60_000;
/**
 * Later answers: a worker is taken for hung when it takes this many times its slowest answer so far,
 * and at least HANG_FLOOR_MS (a garbage collection or a busy machine can stall one answer for seconds).
 * A crashed worker sends nothing, so only this notices it; tied to the worker's own pace, it notices a
 * hang within seconds on a fast machine and still never cuts off a slow one.
 */
const HANG_FACTOR = 10;
const HANG_FLOOR_MS = 10_000;

type Pending = { resolve: (event: PoolEvent) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout>; sentAt: number };

class PoolMember {
  private pending: Pending | null = null;
  private slowestAnswerMs = 0;
  /** The weights version this worker holds (-1: none yet). */
  weightsVersion = -1;
  /** Its memory as of its last answer (null before the first). */
  memory: ReplicaMemory | null = null;
  /** Buffers this worker handed back, for the next commands to it. */
  readonly shelf = new BufferShelf();
  /** Its gradient buffers, read by now, to hand back with the next share command. */
  spares: ArrayBuffer[] = [];

  constructor(
    private readonly port: PoolPort,
    private readonly onFailure: (message: string) => void,
  ) {
    port.onmessage = (event: MessageEvent<PoolEvent>) => this.answer(event.data);
    port.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.fail(event.message || 'a pool worker failed to load');
    };
    port.onmessageerror = () => this.fail('a pool worker sent a message that could not be read');
  }

  /** Waits for the worker's `ready`. */
  started(): Promise<void> {
    return this.expect(FIRST_ANSWER_TIMEOUT_MS).then(() => undefined);
  }

  request(command: PoolCommand, transfer: Transferable[]): Promise<PoolEvent> {
    const timeout = this.slowestAnswerMs > 0 ? Math.max(HANG_FLOOR_MS, HANG_FACTOR * this.slowestAnswerMs) : FIRST_ANSWER_TIMEOUT_MS;
    const answer = this.expect(timeout);
    this.port.postMessage(command, transfer);
    return answer;
  }

  terminate(): void {
    this.port.terminate();
    this.fail('the pool was closed');
  }

  private expect(timeoutMs: number): Promise<PoolEvent> {
    if (this.pending) return Promise.reject(new Error('a pool worker was asked twice at once'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`a pool worker did not answer for ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
      this.pending = { resolve, reject, timer, sentAt: performance.now() };
    });
  }

  private answer(event: PoolEvent): void {
    if (event.type === 'failed') return this.fail(event.message);
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    clearTimeout(pending.timer);
    if (event.type !== 'ready') {
      this.slowestAnswerMs = Math.max(this.slowestAnswerMs, performance.now() - pending.sentAt);
      this.memory = { numTensors: event.numTensors, heapBytes: event.heapBytes };
      this.shelf.put(event.spent);
    }
    pending.resolve(event);
  }

  private fail(message: string): void {
    const pending = this.pending;
    this.pending = null;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`A pool worker failed: ${message}`));
    }
    this.onFailure(message);
  }
}

/** A shard for a pool worker: views into the batch's arrays (the pool copies them into buffers of its own). */
export type ShardArrays = Omit<Extract<PoolCommand, { type: 'share' }>, 'type' | 'id' | 'weights' | 'spare'>;

export class WorkerPool {
  private weights: WeightArrays | null = null;
  /** The coordinator's weight buffers, reused from step to step. */
  private readonly weightBuffers = new BufferShelf(2);
  private weightsVersion = 0;
  private failure: string | null = null;
  private nextId = 0;

  private constructor(private readonly members: PoolMember[]) {}

  /** Starts `helpers` pool workers and waits until each has its backend; rejects if any cannot. */
  static async start(helpers: number, createWorker: () => PoolPort): Promise<WorkerPool> {
    let pool: WorkerPool | null = null;
    const members = Array.from({ length: helpers }, () => new PoolMember(createWorker(), (message) => pool?.broken(message)));
    pool = new WorkerPool(members);
    try {
      await Promise.all(members.map((member) => member.started()));
    } catch (error) {
      pool.terminate();
      throw error;
    }
    return pool;
  }

  /** Workers computing each step: the pool's and the coordinator. */
  get size(): number {
    return this.members.length + 1;
  }

  /** Each pool worker's memory as of its last answer, in pool order (null before its first). */
  memory(): (ReplicaMemory | null)[] {
    return this.members.map((member) => member.memory);
  }

  /** A buffer for the next `setWeights` (it may hold a previous step's weights). */
  weightBuffer(length: number): Float32Array {
    return this.weightBuffers.float32(length);
  }

  /** The weights the next requests compute with (each worker is sent them once). */
  setWeights(weights: WeightArrays): void {
    if (this.weights) this.weightBuffers.put([this.weights.values.buffer]);
    this.weights = weights;
    this.weightsVersion += 1;
  }

  /**
   * The gradient shares of shards 1…, one per pool worker, in shard order. Each share's `grads` is the
   * worker's buffer: hand it back with `giveBack` once read.
   */
  async shares(shards: ShardArrays[]): Promise<ShareArrays[]> {
    const answers = await Promise.all(
      shards.map((shard, i) => {
        const member = this.members[i];
        if (!member) return Promise.reject(new Error(`the pool has no worker ${i + 1}`));
        const images = copied(shard.images, member.shelf.float32(shard.images.length));
        const labels = copied(shard.labels, member.shelf.int32(shard.labels.length));
        const spare = member.spares;
        member.spares = [];
        const command = (weights: WeightArrays | null, id: number): PoolCommand => ({ ...shard, type: 'share', id, weights, images, labels, spare });
        return this.ask(i, command, [images.buffer as ArrayBuffer, labels.buffer as ArrayBuffer, ...spare]);
      }),
    );
    return answers.map((answer) => {
      if (answer.type !== 'share') throw new Error(`a pool worker answered ${answer.type} to a share`);
      return answer;
    });
  }

  /** Returns pool worker `index`'s gradient buffer (from `shares`) once its values have been read. */
  giveBack(index: number, grads: Float32Array): void {
    this.members[index]?.spares.push(grads.buffer as ArrayBuffer);
  }

  /** Predictions for blocks of test images 1…, one per pool worker, in order (the blocks may be views). */
  async classify(blocks: Float32Array[]): Promise<Classified[]> {
    const answers = await Promise.all(
      blocks.map((block, i) => {
        const images = copied(block, this.members[i]?.shelf.float32(block.length) ?? new Float32Array(block.length));
        return this.ask(i, (weights, id) => ({ type: 'classify', id, weights, images }), [images.buffer as ArrayBuffer]);
      }),
    );
    return answers.map((answer) => {
      if (answer.type !== 'classified') throw new Error(`a pool worker answered ${answer.type} to a classification`);
      return answer;
    });
  }

  terminate(): void {
    for (const member of this.members) member.terminate();
  }

  private ask(index: number, command: (weights: WeightArrays | null, id: number) => PoolCommand, transfer: ArrayBuffer[]): Promise<PoolEvent> {
    if (this.failure) return Promise.reject(new Error(this.failure));
    const member = this.members[index];
    if (!member) return Promise.reject(new Error(`the pool has no worker ${index + 1}`));
    if (!this.weights) return Promise.reject(new Error('the pool has no weights yet'));
    let weights: WeightArrays | null = null;
    if (member.weightsVersion !== this.weightsVersion) {
      // Each worker gets a copy of its own, moved to it (and handed back with its answer).
      weights = { spec: this.weights.spec, values: copied(this.weights.values, member.shelf.float32(this.weights.values.length)) };
      transfer = [...transfer, weights.values.buffer as ArrayBuffer];
    }
    member.weightsVersion = this.weightsVersion;
    return member.request(command(weights, this.nextId++), transfer);
  }

  private broken(message: string): void {
    this.failure ??= `A pool worker failed: ${message}`;
  }
}

function copied<T extends Float32Array | Int32Array>(source: T, into: T): T {
  into.set(source);
  return into;
}
