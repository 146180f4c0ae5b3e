/**
 * A React root in a fresh container for each test of a jsdom test file, unmounted and removed after
 * it. Call once at the file's top level; read `root` and `container` inside the tests.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach } from 'vitest';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export interface TestRoot {
  readonly root: Root;
  readonly container: HTMLDivElement;
}

export function testRoot(): TestRoot {
  const current = { root: null as Root | null, container: null as HTMLDivElement | null };
  beforeEach(() => {
    current.container = document.createElement('div');
    document.body.append(current.container);
    current.root = createRoot(current.container);
  });
  afterEach(() => {
    const { root, container } = current;
    if (root) act(() => root.unmount());
    container?.remove();
  });
  return {
    get root() {
      if (!current.root) throw new Error('testRoot: no root outside a test');
      return current.root;
    },
    get container() {
      if (!current.container) throw new Error('testRoot: no container outside a test');
      return current.container;
    },
  };
}
