import { describe, expect, it } from 'vitest';
import { SIMPLE_CNN_SPEC, archSpecsEqual } from '../../shared/arch/archSpec';
import { ARCH_PRESETS, ARCH_PRESET_IDS } from '../../shared/arch/presets';
import { checkArchSpec } from '../../shared/arch/validate';
import { addConvBlock, addDenseLayer, draftCandidate, draftFromSpec, moveRow, removeRow, updateConvBlock, updateDenseLayer } from './archDraft';

const ids = (rows: readonly { id: number }[]) => rows.map((row) => row.id);
const channels = (rows: readonly { channels: string }[]) => rows.map((row) => row.channels);

describe('archDraft', () => {
  it.each(ARCH_PRESET_IDS)('turns preset %s into a draft and back into the same spec', (id) => {
    const check = checkArchSpec(draftCandidate(draftFromSpec(ARCH_PRESETS[id])));
    expect(check.ok).toBe(true);
    if (check.ok) expect(archSpecsEqual(check.spec, ARCH_PRESETS[id])).toBe(true);
  });

  it('gives every row a distinct id, starting where it is told', () => {
    const draft = draftFromSpec(SIMPLE_CNN_SPEC, 10);
    expect(ids(draft.convBlocks)).toEqual([10, 11, 12]);
    expect(ids(draft.dense)).toEqual([13]);
    expect(draft.nextId).toBe(14);
  });

  it('keeps widths as typed, so validation sees an empty field as not a whole number and 0 as not positive', () => {
    const empty = checkArchSpec(draftCandidate(updateConvBlock(draftFromSpec(SIMPLE_CNN_SPEC), 1, { channels: '' })));
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.problems).toEqual([expect.objectContaining({ kind: 'malformed', at: { kind: 'conv', block: 1 }, field: 'channels' })]);
    const zero = checkArchSpec(draftCandidate(updateDenseLayer(draftFromSpec(SIMPLE_CNN_SPEC), 3, { units: '0' })));
    expect(zero.ok).toBe(false);
    if (!zero.ok) expect(zero.problems).toEqual([{ kind: 'notPositive', at: { kind: 'dense', index: 0 }, field: 'units', value: 0 }]);
  });

  it('adds a copy of the last row with a new id, or the seed\'s block and layer to an empty list', () => {
    const draft = addConvBlock(draftFromSpec(SIMPLE_CNN_SPEC));
    expect(channels(draft.convBlocks)).toEqual(['32', '64', '128', '128']);
    expect(draft.convBlocks[3]).toEqual({ ...draft.convBlocks[2], id: 4 });
    expect(draft.nextId).toBe(5);

    const mlp = addDenseLayer(addConvBlock(draftFromSpec({ ...SIMPLE_CNN_SPEC, convBlocks: [], dense: [] })));
    const check = checkArchSpec(draftCandidate(mlp));
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.spec.convBlocks).toEqual([SIMPLE_CNN_SPEC.convBlocks[0]]);
      expect(check.spec.dense).toEqual(SIMPLE_CNN_SPEC.dense);
    }
  });

  it('moves a row one place, and leaves the order alone at either end', () => {
    const draft = draftFromSpec(SIMPLE_CNN_SPEC);
    expect(channels(moveRow(draft, 'convBlocks', 2, -1).convBlocks)).toEqual(['32', '128', '64']);
    expect(channels(moveRow(draft, 'convBlocks', 0, 1).convBlocks)).toEqual(['64', '32', '128']);
    expect(channels(moveRow(draft, 'convBlocks', 0, -1).convBlocks)).toEqual(['32', '64', '128']);
    expect(channels(moveRow(draft, 'convBlocks', 2, 1).convBlocks)).toEqual(['32', '64', '128']);
    expect(ids(moveRow(draft, 'convBlocks', 2, -1).convBlocks)).toEqual([0, 2, 1]);
  });

  it('removes the row with the id, from its own list only', () => {
    const draft = draftFromSpec(SIMPLE_CNN_SPEC);
    expect(channels(removeRow(draft, 'convBlocks', 1).convBlocks)).toEqual(['32', '128']);
    expect(removeRow(draft, 'convBlocks', 1).dense).toHaveLength(1);
    expect(removeRow(draft, 'dense', 3).dense).toEqual([]);
    expect(removeRow(draft, 'dense', 3).convBlocks).toHaveLength(3);
  });
});
