/**
 * Work that must not share a task with other work: each queued job runs in a macrotask of its own, in
 * the order queued, so the browser can paint and answer input between them. The charts' redraws go
 * through one such queue (chartRedraws.ts): a Chart.js update lays out and draws a whole panel (10–30 ms
 * on a slow machine whose cores are training), and two panels plus the page's own update in one task
 * make a long task that stalls the page.
 */
export type PostTask = (run: () => void) => void;

/** Queues `job`; the returned function takes it back if it has not run yet. */
export type QueueJob = (job: () => void) => () => void;

export function createTaskQueue(post: PostTask): QueueJob {
  const pending: Array<() => void> = [];
  let posted = false;
  const runOne = () => {
    posted = false;
    const job = pending.shift();
    if (pending.length > 0) {
      posted = true;
      post(runOne);
    }
    job?.();
  };
  return (job) => {
    // A wrapper per call, so the same function queued twice is taken back once.
    const entry = () => job();
    pending.push(entry);
    if (!posted) {
      posted = true;
      post(runOne);
    }
    return () => {
      const index = pending.indexOf(entry);
      if (index >= 0) pending.splice(index, 1);
    };
  };
}
