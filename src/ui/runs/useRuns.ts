/**
 * The kept runs: every run's configuration, per-epoch metrics, per-batch loss and live changes, kept in
 * IndexedDB so they survive a reload, and for a branch where it came from. The current run's record
 * follows the worker's view; it is written after each epoch, at its end and every few seconds in between.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { TrainConfig } from '../../shared/config';
import type { TrainerView } from '../trainerState';
import { openRunStore, type RunStore } from './runStore';
import { deleteFromTree } from './runTree';
import type { RunParent, RunRecord } from './runTypes';

/** How often a running run's batch losses are saved between epochs. */
const SAVE_INTERVAL_MS = 10_000;

function newRunId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `run-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function useRuns(view: TrainerView) {
  const storeRef = useRef<RunStore | null>(null);
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [persistent, setPersistent] = useState(true);
  const [currentId, setCurrentId] = useState<string | null>(null);
  /** Writes asked for before the store was open, by run id (the latest version of each). */
  const unsaved = useRef(new Map<string, RunRecord>());

  // Idempotent (a put of the whole record), so React calling an updater twice does no harm.
  const save = useCallback((run: RunRecord) => {
    const store = storeRef.current;
    if (!store) {
      unsaved.current.set(run.id, run);
      return;
    }
    // A failed write (quota) costs persistence, not the run: the record stays in memory.
    store.put(run).catch(() => setPersistent(false));
  }, []);

  useEffect(() => {
    let cancelled = false;
    void openRunStore().then(async (store) => {
      if (cancelled) return store.close();
      storeRef.current = store;
      setPersistent(store.persistent);
      // A run saved as running was cut off by a reload or a crash: it is kept as stopped where it was.
      const loaded = (await store.list()).map((run): RunRecord => (run.status === 'running' ? { ...run, status: 'stopped' } : run));
      // Runs begun while the store was opening are newer than anything on disk.
      setRuns((begun) => [...loaded.filter((run) => !begun.some((b) => b.id === run.id)), ...begun]);
      for (const run of unsaved.current.values()) save(run);
      unsaved.current.clear();
    });
    return () => {
      cancelled = true;
      storeRef.current?.close();
      storeRef.current = null;
    };
  }, [save]);


  /** A new run's record (a branch's with its origin), before the worker has reported anything. */
  const beginRun = useCallback(
    (config: TrainConfig, parent: RunParent | null = null) => {
      const run: RunRecord = {
        id: newRunId(),
        createdAt: Date.now(),
        config: { ...config },
        epochs: [],
        batchLoss: [],
        liveChanges: [],
        hidden: false,
        status: 'running',
        ...(parent ? { parent } : {}),
      };
      setRuns((previous) => [...previous, run]);
      setCurrentId(run.id);
      save(run);
      return run.id;
    },
    [save],
  );

  /** A run resumed from a checkpoint continues its own record (made anew if it was deleted meanwhile). */
  const adoptRun = useCallback(
    (id: string, config: TrainConfig) => {
      setRuns((previous) => {
        if (previous.some((run) => run.id === id)) return previous.map((run) => (run.id === id ? { ...run, hidden: false, status: 'running' } : run));
        const run: RunRecord = { id, createdAt: Date.now(), config: { ...config }, epochs: [], batchLoss: [], liveChanges: [], hidden: false, status: 'running' };
        save(run);
        return [...previous, run];
      });
      setCurrentId(id);
    },
    [save],
  );

  /** Reset: the view no longer belongs to the last run, which stays kept as it ended. */
  const detachCurrent = useCallback(() => setCurrentId(null), []);

  // The current run's record follows the view; written at each epoch and at the end.
  const { history, batchLoss, liveChanges, result } = view;
  const viewRef = useRef({ batchLoss, liveChanges });
  // Declared before the effects below, so they see this render's losses.
  useEffect(() => {
    viewRef.current = { batchLoss, liveChanges };
  }, [batchLoss, liveChanges]);
  useEffect(() => {
    if (currentId === null) return;
    const status: RunRecord['status'] = result ? (result.reason === 'finished' ? 'done' : 'stopped') : 'running';
    setRuns((previous) =>
      previous.map((run) => {
        if (run.id !== currentId) return run;
        const updated = { ...run, epochs: history, ...viewRef.current, status };
        save(updated);
        return updated;
      }),
    );
  }, [currentId, history, result, save]);

  // Between epochs, the batch losses so far, so a reload mid-epoch loses at most a few seconds.
  useEffect(() => {
    if (currentId === null || result) return;
    const timer = setInterval(() => {
      setRuns((previous) =>
        previous.map((run) => {
          if (run.id !== currentId) return run;
          const updated = { ...run, ...viewRef.current };
          save(updated);
          return updated;
        }),
      );
    }, SAVE_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [currentId, result, save]);

  const update = useCallback(
    (id: string, change: Partial<Pick<RunRecord, 'name' | 'hidden'>>) => {
      setRuns((previous) =>
        previous.map((run) => {
          if (run.id !== id) return run;
          const updated = { ...run, ...change };
          save(updated);
          return updated;
        }),
      );
    },
    [save],
  );

  /**
   * Deletes a run. Its branches stay, each recording the deleted parent's name and settings so that it
   * still says where it came from (runTree.ts's `deleteFromTree`); `labelOf` numbers unnamed runs.
   */
  const remove = useCallback(
    (id: string, labelOf?: (n: number) => string) => {
      setRuns((previous) => {
        const { runs: left, changed } = deleteFromTree(previous, id, labelOf);
        for (const run of changed) save(run);
        return left;
      });
      setCurrentId((current) => (current === id ? null : current));
      void storeRef.current?.delete(id);
    },
    [save],
  );

  /** Shows only these runs on the charts (the others stay kept, hidden). */
  const showOnly = useCallback(
    (ids: readonly string[]) => {
      setRuns((previous) =>
        previous.map((run) => {
          const hidden = !ids.includes(run.id);
          if (run.hidden === hidden) return run;
          const updated = { ...run, hidden };
          save(updated);
          return updated;
        }),
      );
    },
    [save],
  );

  return { runs, currentId, persistent, beginRun, adoptRun, detachCurrent, update, remove, showOnly };
}
