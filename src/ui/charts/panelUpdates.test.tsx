// @vitest-environment jsdom
/**
 * The charts' update hooks as React runs them in development (StrictMode: every effect mounts, cleans
 * up and mounts again): a new value reaches each panel in a timer task of its own, in order, the
 * newest value winning; equal content keeps the old object.
 */
import { act, StrictMode, useEffect } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testRoot } from '../testing/testRoot';
import { useInOwnTask, useSameData } from './panelUpdates';

const dom = testRoot();

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A panel that logs each value it commits, as react-chartjs-2 redraws in an effect. */
function Panel({ name, value, log }: { name: string; value: number; log: string[] }) {
  const shown = useInOwnTask(value);
  useEffect(() => {
    log.push(`${name}=${shown}`);
  }, [name, shown, log]);
  return <span data-panel={name}>{shown}</span>;
}

function Panels({ value, log, names = ['loss', 'accuracy'] }: { value: number; log: string[]; names?: string[] }) {
  return (
    <StrictMode>
      {names.map((name) => (
        <Panel key={name} name={name} value={value} log={log} />
      ))}
    </StrictMode>
  );
}

const shownIn = (name: string) => dom.container.querySelector(`[data-panel=${name}]`)?.textContent;

describe('useInOwnTask', () => {
  it('a new value reaches each panel in a later task, one panel per task, in order', () => {
    const log: string[] = [];
    act(() => dom.root.render(<Panels value={1} log={log} />));
    expect([shownIn('loss'), shownIn('accuracy')]).toEqual(['1', '1']);
    log.length = 0;

    act(() => dom.root.render(<Panels value={2} log={log} />));
    // The render that brought the value did not redraw anything.
    expect([shownIn('loss'), shownIn('accuracy')]).toEqual(['1', '1']);
    expect(log).toEqual([]);

    act(() => vi.advanceTimersToNextTimer());
    expect([shownIn('loss'), shownIn('accuracy')]).toEqual(['2', '1']);
    expect(log).toEqual(['loss=2']);

    act(() => vi.advanceTimersToNextTimer());
    expect([shownIn('loss'), shownIn('accuracy')]).toEqual(['2', '2']);
    expect(log).toEqual(['loss=2', 'accuracy=2']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a newer value before the task runs replaces the queued one', () => {
    const log: string[] = [];
    act(() => dom.root.render(<Panels value={1} log={log} />));
    log.length = 0;
    act(() => dom.root.render(<Panels value={2} log={log} />));
    act(() => dom.root.render(<Panels value={3} log={log} />));
    act(() => vi.runAllTimers());
    expect([shownIn('loss'), shownIn('accuracy')]).toEqual(['3', '3']);
    expect(log).toEqual(['loss=3', 'accuracy=3']);
  });

  it('a panel unmounted before its task is not updated, and the other still is', () => {
    const log: string[] = [];
    act(() => dom.root.render(<Panels value={1} log={log} />));
    log.length = 0;
    act(() => dom.root.render(<Panels value={2} log={log} />));
    act(() => dom.root.render(<Panels value={2} log={log} names={['accuracy']} />));
    act(() => vi.runAllTimers());
    expect(shownIn('loss')).toBeUndefined();
    expect(log).toEqual(['accuracy=2']);
  });
});

describe('useSameData', () => {
  function Keeper({ value, seen }: { value: number[]; seen: number[][] }) {
    const kept = useSameData(value);
    useEffect(() => {
      seen.push(kept);
    }, [kept, seen]);
    return null;
  }

  it('keeps the earlier object while the content is equal, and takes a changed one', () => {
    const seen: number[][] = [];
    const first = [1, 2];
    act(() => dom.root.render(<Keeper value={first} seen={seen} />));
    act(() => dom.root.render(<Keeper value={[1, 2]} seen={seen} />));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(first);
    const changed = [1, 3];
    act(() => dom.root.render(<Keeper value={changed} seen={seen} />));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(changed);
  });
});
