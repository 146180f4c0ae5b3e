import { describe, expect, it } from 'vitest';
import { epochPointRun, nearestEpochPoint, type EpochPoint } from './pointPicking';

const point = (runId: string, epoch: number, x: number, y: number, joined = false): EpochPoint => ({ runId, epoch, x, y, joined });

describe('epochPointRun', () => {
  it("names the run of a per-epoch dataset only (run ids may hold colons)", () => {
    expect(epochPointRun('a1b2:epoch')).toBe('a1b2');
    expect(epochPointRun('run-1:2:test')).toBe('run-1:2');
    expect(epochPointRun('x:train')).toBe('x');
    expect(epochPointRun('x:smoothed')).toBeNull();
    expect(epochPointRun('x:raw')).toBeNull();
    expect(epochPointRun('epoch')).toBeNull();
  });
});

describe('nearestEpochPoint', () => {
  const points = [point('a', 1, 100, 50), point('a', 2, 200, 60), point('b', 2, 200, 90), point('b', 3, 300, 80)];

  it('picks the nearest point within reach, and nothing beyond it', () => {
    expect(nearestEpochPoint(points, { x: 205, y: 84 })).toMatchObject({ runId: 'b', epoch: 2 });
    expect(nearestEpochPoint(points, { x: 196, y: 66 })).toMatchObject({ runId: 'a', epoch: 2 });
    expect(nearestEpochPoint(points, { x: 150, y: 50 })).toBeNull();
    expect(nearestEpochPoint(points, { x: 150, y: 50 }, 60)).toMatchObject({ runId: 'a', epoch: 1 });
    expect(nearestEpochPoint([], { x: 0, y: 0 })).toBeNull();
  });

  it("prefers the parent's own point to a branch's copy of it drawn on top", () => {
    const joined = point('branch', 2, 200, 60, true);
    expect(nearestEpochPoint([joined, ...points], { x: 201, y: 61 })).toMatchObject({ runId: 'a', epoch: 2 });
    expect(nearestEpochPoint([...points, joined], { x: 201, y: 61 })).toMatchObject({ runId: 'a', epoch: 2 });
    expect(nearestEpochPoint([joined], { x: 201, y: 61 })).toMatchObject({ runId: 'branch', epoch: 2 });
  });
});
