/** Short text for a live change, for chart markers and the change log: "lr 1e-3→3e-3, batch 128→256". */
import type { LiveField } from '../../shared/config';
import type { LiveChange } from '../../shared/protocol';
import { formatConfigNumber } from './runLabels';

export function liveChangeText(change: Pick<LiveChange, 'changes'>, fieldNames: Readonly<Record<LiveField, string>>): string {
  return change.changes.map(({ field, from, to }) => `${fieldNames[field]} ${formatConfigNumber(from)}→${formatConfigNumber(to)}`).join(', ');
}
