/**
 * The one-line description of a network for anywhere on the page (a status line, a run's tooltip):
 * its compact form and its parameter count, "c32p-c64p-c128p-f256 · 390,410 parameters".
 */
import { analyzeArch } from '../../shared/arch/analysis';
import type { ArchSpec } from '../../shared/arch/archSpec';
import { formatCompactArch } from '../../shared/arch/compactForm';
import type { Locale } from '../i18n/locale';
import { ARCH_MESSAGES } from './archMessages';

export function archSummary(spec: ArchSpec, locale: Locale): string {
  return ARCH_MESSAGES[locale].summary(formatCompactArch(spec), analyzeArch(spec).totals.parameters);
}
