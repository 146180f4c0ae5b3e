/**
 * What the architecture editor edits: a spec as the learner is typing it. It differs from an `ArchSpec`
 * in two ways only:
 *
 * - widths (channels, units) are the input's text, so a half-typed "" or "0" is kept as typed, shown in
 *   its field and reported by `checkArchSpec` rather than silently corrected;
 * - every row has an id, stable across moves, so React keeps each block's controls (and focus) with the
 *   block as it moves.
 *
 * The operations are pure: each returns a new draft. Ids come from the draft's own counter, so nothing
 * here depends on render order or module state.
 */
import {
  ARCH_SPEC_VERSION,
  SEED_CONV_BLOCK,
  SIMPLE_CNN_SPEC,
  type ArchSpec,
  type ConvBlockSpec,
  type DenseLayerSpec,
  type HeadSpec,
} from '../../shared/arch/archSpec';

export interface ConvRow extends Omit<ConvBlockSpec, 'channels'> {
  id: number;
  channels: string;
}

export interface DenseRow extends Omit<DenseLayerSpec, 'units'> {
  id: number;
  units: string;
}

export interface ArchDraft {
  convBlocks: readonly ConvRow[];
  head: HeadSpec;
  dense: readonly DenseRow[];
  /** The id the next added row gets. */
  nextId: number;
}

export type RowList = 'convBlocks' | 'dense';

/**
 * `firstId`: where the new rows' ids start. A draft that replaces another (a preset chosen, the spec
 * changed from outside) starts after the old draft's ids, so no new row is mistaken for an old one.
 */
export function draftFromSpec(spec: ArchSpec, firstId = 0): ArchDraft {
  const convBlocks = spec.convBlocks.map(({ channels, ...rest }, i) => ({ ...rest, id: firstId + i, channels: String(channels) }));
  const denseStart = firstId + convBlocks.length;
  const dense = spec.dense.map(({ units, ...rest }, i) => ({ ...rest, id: denseStart + i, units: String(units) }));
  return { convBlocks, head: { ...spec.head }, dense, nextId: denseStart + dense.length };
}

/**
 * The typed text as a number for validation: "" and other non-numbers become NaN, which `checkArchSpec`
 * refuses as "not a whole number", like 1.5.
 */
function widthOf(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** The draft as the value `checkArchSpec` judges (not yet an `ArchSpec`: its widths may be anything). */
export function draftCandidate(draft: ArchDraft): unknown {
  return {
    version: ARCH_SPEC_VERSION,
    convBlocks: draft.convBlocks.map(({ id: _id, channels, ...rest }) => ({ ...rest, channels: widthOf(channels) })),
    head: { ...draft.head },
    dense: draft.dense.map(({ id: _id, units, ...rest }) => ({ ...rest, units: widthOf(units) })),
  };
}

/**
 * A new conv block at the end: a copy of the last one (the learner's "one more like that"), or the seed's
 * first block when there is none.
 */
export function addConvBlock(draft: ArchDraft): ArchDraft {
  const last = draft.convBlocks.at(-1);
  const row: ConvRow = last ? { ...last, id: draft.nextId } : { ...SEED_CONV_BLOCK, id: draft.nextId, channels: String(SEED_CONV_BLOCK.channels) };
  return { ...draft, convBlocks: [...draft.convBlocks, row], nextId: draft.nextId + 1 };
}

/** A new hidden dense layer before the output: a copy of the last one, or the seed's fc1. */
export function addDenseLayer(draft: ArchDraft): ArchDraft {
  const last = draft.dense.at(-1);
  const seed = SIMPLE_CNN_SPEC.dense[0];
  const row: DenseRow = last ? { ...last, id: draft.nextId } : { ...seed, id: draft.nextId, units: String(seed.units) };
  return { ...draft, dense: [...draft.dense, row], nextId: draft.nextId + 1 };
}

export function removeRow(draft: ArchDraft, list: RowList, id: number): ArchDraft {
  return list === 'convBlocks'
    ? { ...draft, convBlocks: draft.convBlocks.filter((row) => row.id !== id) }
    : { ...draft, dense: draft.dense.filter((row) => row.id !== id) };
}

/** Moves a row one place up (−1) or down (+1); a move past either end leaves the draft as it is. */
export function moveRow(draft: ArchDraft, list: RowList, id: number, delta: -1 | 1): ArchDraft {
  const move = <T extends { id: number }>(rows: readonly T[]): readonly T[] => {
    const from = rows.findIndex((row) => row.id === id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= rows.length) return rows;
    const moved = [...rows];
    [moved[from], moved[to]] = [moved[to], moved[from]];
    return moved;
  };
  return list === 'convBlocks' ? { ...draft, convBlocks: move(draft.convBlocks) } : { ...draft, dense: move(draft.dense) };
}

export function updateConvBlock(draft: ArchDraft, id: number, change: Partial<Omit<ConvRow, 'id'>>): ArchDraft {
  return { ...draft, convBlocks: draft.convBlocks.map((row) => (row.id === id ? { ...row, ...change } : row)) };
}

export function updateDenseLayer(draft: ArchDraft, id: number, change: Partial<Omit<DenseRow, 'id'>>): ArchDraft {
  return { ...draft, dense: draft.dense.map((row) => (row.id === id ? { ...row, ...change } : row)) };
}

export function updateHead(draft: ArchDraft, change: Partial<HeadSpec>): ArchDraft {
  return { ...draft, head: { ...draft.head, ...change } };
}
