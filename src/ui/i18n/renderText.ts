/**
 * Showing what the worker or a shared parser wrote: a `Text` (src/shared/texts.ts) in the page's
 * language, or a string as it is (one the page made itself, already in its language, or an English
 * message from a worker that sent no text).
 */
import type { Text } from '../../shared/texts';
import type { Messages } from './messages';
import { useI18n } from './useI18n';

export type Shown = string | Text;

/** An event's text where it has one, else its English message. */
export function shown(message: string, text: Text | undefined): Shown {
  return text ?? message;
}

export function renderText(t: Messages, value: Shown): string {
  return typeof value === 'string' ? value : t.texts.render(value);
}

/** `renderText` bound to the page's language. */
export function useText(): (value: Shown) => string {
  const { t } = useI18n();
  return (value) => renderText(t, value);
}
