import { describe, expect, it } from 'vitest';
import { liveChangeText } from './liveChangeText';

const names = { lr: 'lr', weightDecay: 'wd', lrStep: 'step', lrGamma: 'γ', dropout: 'dropout', batch: 'batch' };

describe('liveChangeText', () => {
  it('lists each changed field with its old and new value, compactly', () => {
    expect(
      liveChangeText(
        {
          changes: [
            { field: 'lr', from: 1e-3, to: 3e-3 },
            { field: 'dropout', from: 0.25, to: 0.5 },
            { field: 'batch', from: 128, to: 256 },
          ],
        },
        names,
      ),
    ).toBe('lr 1e-3→3e-3, dropout 0.25→0.5, batch 128→256');
  });
});
