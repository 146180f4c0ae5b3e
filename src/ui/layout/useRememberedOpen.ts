/**
 * A `<details>` group that remembers whether the user left it open, across reloads (localStorage).
 */
import { useCallback, useState, type SyntheticEvent } from 'react';
import { readOpenState, writeOpenState } from './rememberedOpen';

// A getter, not `window.localStorage` read once: reading the property itself throws where storage is refused.
const browserStorage = () => window.localStorage;

/**
 * `open` and `onToggle` for a controlled `<details>`. The state is read once, in useState's initializer,
 * and written only from the toggle event — no effect, so StrictMode's double mount changes nothing.
 */
export function useRememberedOpen(key: string, fallback: boolean): { open: boolean; onToggle: (event: SyntheticEvent<HTMLDetailsElement>) => void } {
  const [open, setOpen] = useState(() => readOpenState(browserStorage, key, fallback));
  const onToggle = useCallback(
    (event: SyntheticEvent<HTMLDetailsElement>) => {
      const next = event.currentTarget.open;
      setOpen(next);
      writeOpenState(browserStorage, key, next);
    },
    [key],
  );
  return { open, onToggle };
}
