import { useCallback, useEffect, useState } from 'react';
import type { TrainConfig } from '../shared/config';
import { parseConfigHash, serializeConfigHash } from '../shared/urlState';
import type { Shown } from './i18n/renderText';

/** The config and the notices to show: the parser's as texts (rendered in the page's language), the page's own as strings. */
function readHash(hash: string): { config: TrainConfig; notices: Shown[] } {
  const { config, texts } = parseConfigHash(hash);
  return { config, notices: texts };
}

/**
 * The configuration, kept in the URL hash: read on load and whenever the user edits the hash, written
 * back (without a history entry per slider tick) whenever a control changes it.
 */
export function useHashConfig() {
  const [state, setState] = useState(() => readHash(window.location.hash));

  useEffect(() => {
    const onHashChange = () => setState(readHash(window.location.hash));
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  useEffect(() => {
    const hash = `#${serializeConfigHash(state.config)}`;
    if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
  }, [state.config]);

  const update = useCallback((change: Partial<TrainConfig>) => {
    setState((previous) => ({ ...previous, config: { ...previous.config, ...change } }));
  }, []);

  const dismissNotice = useCallback((index: number) => {
    setState((previous) => ({ ...previous, notices: previous.notices.filter((_, i) => i !== index) }));
  }, []);

  const addNotice = useCallback((notice: string) => {
    setState((previous) => ({ ...previous, notices: [...previous.notices, notice] }));
  }, []);

  return { config: state.config, notices: state.notices, update, addNotice, dismissNotice };
}
