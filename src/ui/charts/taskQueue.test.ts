import { describe, expect, it } from 'vitest';
import { createTaskQueue } from './taskQueue';

/** A fake event loop: posted tasks wait until `runTask` runs the oldest. */
function fakeLoop() {
  const tasks: Array<() => void> = [];
  return {
    post: (run: () => void) => tasks.push(run),
    runTask: () => tasks.shift()?.(),
    get waiting() {
      return tasks.length;
    },
  };
}

describe('createTaskQueue', () => {
  it('runs one job per task, in the order queued', () => {
    const loop = fakeLoop();
    const queue = createTaskQueue(loop.post);
    const ran: string[] = [];
    queue(() => ran.push('loss'));
    queue(() => ran.push('accuracy'));
    expect(ran).toEqual([]);
    expect(loop.waiting).toBe(1);
    loop.runTask();
    expect(ran).toEqual(['loss']);
    loop.runTask();
    expect(ran).toEqual(['loss', 'accuracy']);
    expect(loop.waiting).toBe(0);
  });

  it('a job taken back never runs, and the others keep their turn', () => {
    const loop = fakeLoop();
    const queue = createTaskQueue(loop.post);
    const ran: string[] = [];
    const cancelFirst = queue(() => ran.push('first'));
    queue(() => ran.push('second'));
    cancelFirst();
    loop.runTask();
    expect(ran).toEqual(['second']);
    loop.runTask();
    expect(ran).toEqual(['second']);
  });

  it('taking a job back after it ran changes nothing; a job queued from a job runs in a later task', () => {
    const loop = fakeLoop();
    const queue = createTaskQueue(loop.post);
    const ran: string[] = [];
    const cancel = queue(() => {
      ran.push('outer');
      queue(() => ran.push('inner'));
    });
    loop.runTask();
    cancel();
    expect(ran).toEqual(['outer']);
    loop.runTask();
    expect(ran).toEqual(['outer', 'inner']);
  });

  it('the same function queued twice runs twice, and one cancel takes back one of them', () => {
    const loop = fakeLoop();
    const queue = createTaskQueue(loop.post);
    let count = 0;
    const bump = () => count++;
    const cancelOne = queue(bump);
    queue(bump);
    cancelOne();
    loop.runTask();
    loop.runTask();
    expect(count).toBe(1);
  });

  it('a job that throws does not strand the ones after it', () => {
    const loop = fakeLoop();
    const queue = createTaskQueue(loop.post);
    const ran: string[] = [];
    queue(() => {
      throw new Error('boom');
    });
    queue(() => ran.push('after'));
    expect(() => loop.runTask()).toThrow('boom');
    loop.runTask();
    expect(ran).toEqual(['after']);
  });
});
