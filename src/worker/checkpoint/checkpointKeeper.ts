/**
 * The trainer's side of the checkpoint archive (checkpointArchive.ts): where each save goes, what the
 * page hears about it, and what happens when storage is short.
 *
 * - One operation at a time, in the order asked: the archive's calls run behind a queue, so a pin the
 *   trainer does not wait for still lands before the next epoch's save, and the retention policy plans
 *   from an index no other save is changing.
 * - Every save goes through the retention policy (src/shared/checkpointRetention.ts): when a save would
 *   pass the quota, the oldest finished runs' checkpoints are dropped first (the page is told which),
 *   and a save that cannot fit is skipped with a notice. Training never stops for storage; only a
 *   storage failure of another kind turns checkpoints off, as before.
 * - After every change the page gets the index and the browser's storage figures (`checkpointArchive`),
 *   and after every save to where a run goes on, what a reload would resume (`checkpoint`).
 *
 * Loads come back validated (the archive refuses a damaged checkpoint with its problem); a storage
 * error on a load counts as nothing stored.
 */
import type { ArchiveSlot } from '../../shared/checkpointIndex';
import { saveWithRetention, type StorageFigures } from '../../shared/checkpointRetention';
import type { CheckpointWrite, WorkerEvent } from '../../shared/protocol';
import { englishText, errorDetail, type Text } from '../../shared/texts';
import { summarize, type TrainingCheckpoint } from './checkpoint';
import { prepareCheckpoint, type CheckpointArchive, type LoadOutcome, type PreparedCheckpoint, type SlotRef } from './checkpointArchive';

/** `refused`: the state failed validation and nothing was written; `skipped`: no room; `off`: checkpoints are off. */
export type SaveResult = 'saved' | 'refused' | 'skipped' | 'off';

/** The slot a checkpoint belongs in: an epoch's boundary (no data order drawn yet) is a branch point, the rest is mid-epoch. */
export function slotOf(checkpoint: Pick<TrainingCheckpoint, 'batch' | 'order'>): 'epoch' | 'rolling' {
  return checkpoint.batch === 0 && checkpoint.order === null ? 'epoch' : 'rolling';
}

export class CheckpointKeeper {
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when storage failed outright: nothing more is tried, and the page has been told. */
  private off = false;
  private lastWrite: CheckpointWrite | null = null;
  /** A skipped save's notice is shown once, until a save succeeds again (not once a minute). */
  private skipNoticeShown = false;

  constructor(
    private readonly archive: CheckpointArchive,
    private readonly emit: (event: WorkerEvent) => void,
    /** `navigator.storage.estimate()`'s usage and quota, or null where the browser gives none. */
    private readonly estimate: () => Promise<StorageFigures | null>,
  ) {}

  /** Runs `work` after every operation asked for before it has ended. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Validates, makes room, writes, and tells the page; never rejects. */
  save(checkpoint: TrainingCheckpoint, slot: ArchiveSlot): Promise<SaveResult> {
    return this.serial(async () => {
      if (this.off) return 'off';
      const prepared = prepareCheckpoint(checkpoint, slot);
      if (!prepared.ok) return 'refused';
      const outcome = await saveWithRetention(this.timedStore(), prepared.prepared, { currentRunId: checkpoint.runId, estimate: this.estimate });
      if (outcome.evicted.length > 0) this.emit({ type: 'checkpointsEvicted', runIds: outcome.evicted });
      if (!outcome.saved && outcome.why === 'failed') {
        this.turnOff(outcome.error);
        return 'off';
      }
      if (outcome.saved) {
        this.skipNoticeShown = false;
        if (slot !== 'rollBack') this.emit({ type: 'checkpoint', summary: summarize(checkpoint) });
      } else if (!this.skipNoticeShown) {
        this.skipNoticeShown = true;
        this.notice({ key: 'checkpoint.saveSkipped', why: outcome.why });
      }
      await this.publish();
      return outcome.saved ? 'saved' : 'skipped';
    });
  }

  /** One stored checkpoint, validated. */
  load(ref: SlotRef): Promise<LoadOutcome> {
    return this.serial(() => this.loadNow(ref));
  }

  /** What a reload continues (see checkpointIndex.ts's `latestToResume`), validated; `missing` when there is none. */
  resumePoint(): Promise<LoadOutcome> {
    return this.serial(async () => {
      const entry = await this.archive.latestToResume().catch(() => null);
      return entry ? this.loadNow(entry) : { status: 'missing' as const };
    });
  }

  /** At the worker's start: what can be resumed (a damaged one is named, not offered) and the index. */
  announce(): Promise<void> {
    return this.serial(async () => {
      await this.announceResumePoint({ quiet: false });
      await this.publish();
    });
  }

  /** The run finished: it is offered for Resume no more, and its rolling checkpoint goes (its last epoch's supersedes it). */
  markFinished(runId: string): Promise<void> {
    return this.serial(async () => {
      await this.archive.markFinished(runId).catch(() => undefined);
      this.emit({ type: 'checkpoint', summary: null });
      await this.publish();
    });
  }

  /** Discard: the saved run is no longer offered; its epochs stay as branch points. */
  discard(): Promise<void> {
    return this.serial(async () => {
      const entry = await this.archive.latestToResume().catch(() => null);
      if (entry) await this.archive.markFinished(entry.runId).catch(() => undefined);
      this.emit({ type: 'checkpoint', summary: null });
      await this.publish();
    });
  }

  /** Deletes one checkpoint (a pin that was gone back to). */
  remove(ref: SlotRef): Promise<void> {
    return this.serial(async () => {
      await this.archive.remove(ref).catch(() => undefined);
      await this.publish();
    });
  }

  /** Deletes every checkpoint of a run; what a reload would resume is worked out again. */
  dropRun(runId: string): Promise<void> {
    return this.serial(async () => {
      await this.archive.deleteRun(runId).catch(() => undefined);
      await this.announceResumePoint({ quiet: true });
      await this.publish();
    });
  }

  /** The archive as `saveWithRetention` uses it, its writes timed (transaction start to commit). */
  private timedStore() {
    return {
      list: () => this.archive.list(),
      deleteRun: (runId: string) => this.archive.deleteRun(runId),
      write: async (prepared: PreparedCheckpoint) => {
        const started = performance.now();
        await this.archive.write(prepared);
        const { runId, slot, epoch, batch, bytes } = prepared.entry;
        this.lastWrite = { runId, slot, epoch, batch, bytes, milliseconds: performance.now() - started };
      },
    };
  }

  private async loadNow(ref: SlotRef): Promise<LoadOutcome> {
    return this.archive.load(ref).catch((): LoadOutcome => ({ status: 'missing' }));
  }

  private async announceResumePoint({ quiet }: { quiet: boolean }): Promise<void> {
    const entry = await this.archive.latestToResume().catch(() => null);
    const outcome: LoadOutcome = entry ? await this.loadNow(entry) : { status: 'missing' };
    if (outcome.status === 'refused' && !quiet) this.notice({ key: 'checkpoint.unusable', problem: outcome.problem, deleted: false });
    this.emit({ type: 'checkpoint', summary: outcome.status === 'loaded' ? summarize(outcome.checkpoint) : null });
  }

  /** Sends the index and the storage figures; a failure to read them leaves the page's last view. */
  private async publish(): Promise<void> {
    try {
      const entries = await this.archive.list();
      const figures = await this.estimate().catch(() => null);
      this.emit({ type: 'checkpointArchive', archive: { entries, usage: figures?.usage ?? null, quota: figures?.quota ?? null, lastWrite: this.lastWrite } });
    } catch {
      // The next change publishes again.
    }
  }

  private turnOff(error: unknown): void {
    this.off = true;
    const detail = errorDetail(error);
    this.emit({ type: 'checkpointsOff', reason: detail, text: { key: 'storage.failed', detail } });
  }

  private notice(text: Text): void {
    this.emit({ type: 'notice', level: 'warning', message: englishText(text), text });
  }
}
