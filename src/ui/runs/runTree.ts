/**
 * Runs as a tree: a run branched from epoch k of another ("Branch from epoch k") names that run and k as
 * its `parent`. Here, without React: the tree and the Runs table's order (depth-first, with depth for
 * indentation), the labels (a branch is its parent's name, `@k`, and what it changed: `Run 1 @3 · lr=1e-2`),
 * deleting a parent (its branches stay, and keep saying where they came from) and a branch's chart data
 * (from epoch k on, joined to its parent's point at k).
 */
import { FIELD_TIMING, type TrainConfig } from '../../shared/config';
import { disambiguate, labelRuns, runDisplayName, runDisplayNames } from './runLabels';
import type { RunParent, RunRecord } from './runTypes';

export type { RunParent };

/** A kept run: a root, or a branch that names its `parent`. */
export type TreeRun = RunRecord;

/** One row of the Runs table. */
export interface RunTreeRow {
  run: TreeRun;
  /** 0 for a root; a branch one more than its parent. */
  depth: number;
  /** True for a branch whose parent is gone: it is shown as a root, and its label still names the parent. */
  orphan: boolean;
}

/** The fields a branch takes from the controls: what reaches a running run, and the optimizer (which starts fresh). */
export const BRANCH_FIELDS: readonly (keyof TrainConfig)[] = [
  ...(Object.keys(FIELD_TIMING) as (keyof TrainConfig)[]).filter((field) => FIELD_TIMING[field] !== 'reset'),
  'optimizer',
];

/**
 * The settings the run had after `epoch` epochs: the ones it started with, then each live change that
 * took effect within epochs 1…`epoch` (a batch-size change made for epoch k + 1 is not among them). A
 * branch started with its own settings at its branch point: the live changes it inherited from its
 * parent, before that point, are not its own.
 */
export function settingsAtEpoch(run: Pick<RunRecord, 'config' | 'liveChanges' | 'parent'>, epoch: number): TrainConfig {
  const settings = { ...run.config };
  const from = run.parent?.epoch ?? 0;
  for (const change of run.liveChanges) {
    if (change.epoch > epoch || change.epoch <= from) continue;
    for (const { field, to } of change.changes) settings[field] = to;
  }
  return settings;
}

/**
 * A branch's configuration: the controls' value for each of `BRANCH_FIELDS`, the parent's for the rest
 * (seed, data sizes, backend: the branch continues the parent's data order on the same backend).
 */
export function branchConfig(parentAtEpoch: TrainConfig, controls: TrainConfig): TrainConfig {
  const config = { ...parentAtEpoch };
  for (const field of BRANCH_FIELDS) (config as Record<string, unknown>)[field] = controls[field];
  return config;
}

/** Each run's present parent (null for roots and orphans), and each run's branches, oldest first. */
interface Tree {
  parents: Map<string, TreeRun | null>;
  branches: Map<string, TreeRun[]>;
}

function treeOf(runs: readonly TreeRun[]): Tree {
  const byId = new Map(runs.map((run) => [run.id, run]));
  const parents = new Map<string, TreeRun | null>();
  for (const run of runs) parents.set(run.id, run.parent ? (byId.get(run.parent.runId) ?? null) : null);
  // A damaged store could make a run its own ancestor: the run where a walk up meets itself again
  // becomes a root, so the tree stays a tree.
  for (const run of runs) {
    const seen = new Set<string>([run.id]);
    for (let up = parents.get(run.id); up; up = parents.get(up.id)) {
      if (seen.has(up.id)) {
        parents.set(up.id, null);
        break;
      }
      seen.add(up.id);
    }
  }
  const branches = new Map<string, TreeRun[]>();
  for (const run of [...runs].sort(byCreation)) {
    const parent = parents.get(run.id);
    if (parent) branches.set(parent.id, [...(branches.get(parent.id) ?? []), run]);
  }
  return { parents, branches };
}

const byCreation = (a: TreeRun, b: TreeRun) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The Runs table's rows: each root (oldest first) followed by its branches, depth-first, siblings oldest first. */
export function runTreeRows(runs: readonly TreeRun[]): RunTreeRow[] {
  return rowsOf(runs, treeOf(runs));
}

function rowsOf(runs: readonly TreeRun[], { parents, branches }: Tree): RunTreeRow[] {
  const rows: RunTreeRow[] = [];
  const visit = (run: TreeRun, depth: number) => {
    rows.push({ run, depth, orphan: depth === 0 && run.parent !== undefined });
    for (const branch of branches.get(run.id) ?? []) visit(branch, depth + 1);
  };
  for (const root of runs.filter((run) => !parents.get(run.id)).sort(byCreation)) visit(root, 0);
  return rows;
}

/**
 * Every run's display name, by id. The user's name when it has one; otherwise a root is labelled by
 * what differs among the roots (`labelRuns`; `fallback` numbers identical ones, `Run n` by default), and
 * a branch as its parent's display name, `@epoch`, then what differs from the parent's settings at that
 * epoch as `labelRuns` writes it (`Run 1 @3 · lr=1e-2`; just `Run 1 @3` when nothing differs). Branches
 * of one parent whose labels coincide are numbered in creation order (`Run 1 @3 #1`, `Run 1 @3 #2`). A
 * branch whose parent was deleted keeps the label it had (from `parent.deleted`); one whose parent
 * vanished without that record is labelled as a root.
 */
export function runTreeLabels(runs: readonly TreeRun[], fallback?: (n: number) => string): Map<string, string> {
  const tree = treeOf(runs);
  const rows = rowsOf(runs, tree);
  const labels = new Map<string, string>();
  const labelBranches = (branches: readonly TreeRun[], origin: (branch: TreeRun & { parent: RunParent }) => { name: string; config: TrainConfig }) => {
    const auto = branches.map((branch) => {
      const parent = branch.parent as RunParent;
      const from = origin(branch as TreeRun & { parent: RunParent });
      const difference = labelRuns([from.config, branch.config], () => '')[1];
      return `${from.name} @${parent.epoch}${difference ? ` · ${difference}` : ''}`;
    });
    disambiguate(auto).forEach((label, i) => labels.set(branches[i].id, runDisplayName(branches[i], label)));
  };

  const roots = rows.filter(({ run, depth }) => depth === 0 && !run.parent?.deleted).map(({ run }) => run);
  const rootLabels = fallback ? labelRuns(roots.map((run) => run.config), fallback).map((auto, i) => runDisplayName(roots[i], auto)) : runDisplayNames(roots);
  roots.forEach((run, i) => labels.set(run.id, rootLabels[i]));

  const orphansByParent = new Map<string, TreeRun[]>();
  for (const { run, depth } of rows) if (depth === 0 && run.parent?.deleted) orphansByParent.set(run.parent.runId, [...(orphansByParent.get(run.parent.runId) ?? []), run]);
  for (const orphans of orphansByParent.values()) labelBranches(orphans, (branch) => branch.parent.deleted as NonNullable<RunParent['deleted']>);

  // Rows come parents first: each run's name is final before its branches are labelled from it.
  for (const { run } of rows) {
    const branches = tree.branches.get(run.id) ?? [];
    if (branches.length > 0) labelBranches(branches, (branch) => ({ name: labels.get(run.id) as string, config: settingsAtEpoch(run, branch.parent.epoch) }));
  }
  return labels;
}

/**
 * Deletes `deletedId` from the tree. Its branches stay: each keeps its `parent` with `deleted` recorded
 * (the deleted run's display name now and its settings at the branch's epoch), so it is shown as a root
 * still labelled `Run 1 @3 · lr=1e-2`. Returns the runs left and, for the store, the branches changed.
 * They are not re-attached to the deleted run's own parent: their state came from the deleted run's
 * training, which is not the grandparent's.
 */
export function deleteFromTree(runs: readonly TreeRun[], deletedId: string, fallback?: (n: number) => string): { runs: TreeRun[]; changed: TreeRun[] } {
  const deleted = runs.find((run) => run.id === deletedId);
  if (!deleted) return { runs: [...runs], changed: [] };
  const name = runTreeLabels(runs, fallback).get(deletedId) as string;
  const changed: TreeRun[] = [];
  const left = runs
    .filter((run) => run.id !== deletedId)
    .map((run) => {
      if (run.parent?.runId !== deletedId || run.parent.deleted) return run;
      const detached: TreeRun = { ...run, parent: { ...run.parent, deleted: { name, config: settingsAtEpoch(deleted, run.parent.epoch) } } };
      changed.push(detached);
      return detached;
    });
  return { runs: left, changed };
}

/** What a run's chart draws, as datasets.ts's builders take it. */
export type ChartSource = Pick<RunRecord, 'epochs' | 'batchLoss' | 'liveChanges'>;

export interface BranchChartData extends ChartSource {
  /** The epoch whose point joins the branch to its parent (the first of `epochs`), or null. */
  joinedAt: number | null;
  /** The branch point: the batch losses up to it are the parent's, smoothed over but not drawn; null for a root. */
  batchesFrom: number | null;
}

/**
 * The part of a run the charts draw. A root: all of it. A branch from epoch k: its epochs after k,
 * preceded by the point at k — the parent's, or when the parent is gone the branch's own copy of it
 * (a branch's history starts with its parent's, from the checkpoint) — so its lines start at the
 * parent's point; its live changes after k (before k they are the parent's, drawn in the parent's
 * colour); and all its batch losses, drawn after k (`batchesFrom`): the ones before k still feed its
 * smoothed curve, which so continues the parent's. Epoch 0 has no point: a branch from it starts at
 * epoch 1, unjoined.
 */
export function branchChartData(source: ChartSource, parent: RunParent | undefined, runs: readonly Pick<TreeRun, 'id' | 'epochs'>[]): BranchChartData {
  if (!parent) return { ...source, joinedAt: null, batchesFrom: null };
  const k = parent.epoch;
  const join = runs.find((run) => run.id === parent.runId)?.epochs.find((m) => m.epoch === k) ?? source.epochs.find((m) => m.epoch === k);
  const own = source.epochs.filter((m) => m.epoch > k);
  return {
    epochs: join ? [join, ...own] : own,
    batchLoss: source.batchLoss,
    liveChanges: source.liveChanges.filter((change) => change.epoch > k),
    joinedAt: join ? k : null,
    batchesFrom: k,
  };
}

/**
 * Whose checkpoint holds run `runId`'s state after `epoch` epochs: a branch's epochs up to its branch
 * point are its parent's (and so on up), so "Branch from epoch k" on such a row branches from the
 * ancestor that trained them — the branch point included, which the branch only copied (with fresh
 * optimizer state when it changed the optimizer). Where the parent is gone, the branch point is the
 * branch's own copy and the epochs before it are no one's (null); null too for an unknown run.
 */
export function branchPointOwner(runs: readonly TreeRun[], runId: string, epoch: number): RunParent | null {
  const { parents } = treeOf(runs);
  let run = runs.find((r) => r.id === runId);
  while (run?.parent && epoch <= run.parent.epoch) {
    const parent = parents.get(run.id);
    if (!parent) return epoch === run.parent.epoch ? { runId: run.id, epoch } : null;
    run = parent;
  }
  return run ? { runId: run.id, epoch } : null;
}
