/**
 * Two hooks that keep the charts' redraws off the page's busy tasks (see taskQueue.ts): a value kept
 * the same object while its content is unchanged, and a value that reaches its panel in a task of its
 * own. Chart.js redraws a panel whenever react-chartjs-2 sees a new `data` or `options` object.
 */
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { sameData } from './sameData';
import { createTaskQueue } from './taskQueue';

/** Every panel's redraws, one per task. `setTimeout(0)` rather than a microtask: the browser may paint and take input in between. */
const panelRedraws = createTaskQueue((run) => setTimeout(run, 0));

/** `value`, or the earlier value while the content is the same (`sameData`): cheap for small data only. */
export function useSameData<T>(value: T): T {
  const [kept, setKept] = useState(value);
  // Adjusting state while rendering (React's pattern for values derived from earlier renders): the
  // render is redone at once with the new value, before anything is committed.
  if (kept !== value && !sameData(kept, value)) {
    setKept(value);
    return value;
  }
  return kept;
}

/**
 * `value` as a panel should show it: it changes in a task queued after the render that changed it, and
 * that task renders, commits and runs the effects (the Chart.js update) synchronously (`flushSync`), so
 * each panel's redraw is a task of its own instead of part of the task that produced the new data (a
 * click, a worker message). A newer value before the task runs replaces the queued one.
 */
export function useInOwnTask<T>(value: T): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (shown === value) return;
    return panelRedraws(() => flushSync(() => setShown(value)));
  }, [shown, value]);
  return shown;
}
