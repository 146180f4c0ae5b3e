/** What a picked chart point offers: a branch from its epoch, and Adam vs AdamW from there. */
import type { BranchPoint } from '../../shared/protocol';
import { useI18n } from '../i18n/useI18n';

interface BranchMenuProps {
  epoch: number;
  /** The stored checkpoint the branch would start from; null when it is gone. */
  from: BranchPoint | null;
  /** False while a run is on: a branch is a new run. */
  enabled: boolean;
  onBranch: (from: BranchPoint) => void;
  onCompare: (from: BranchPoint) => void;
}

export function BranchMenu({ epoch, from, enabled, onBranch, onCompare }: BranchMenuProps) {
  const { t } = useI18n();
  if (!from) return <p>{t.charts.cannotBranchHere}</p>;
  return (
    <>
      <button type="button" disabled={!enabled} onClick={() => onBranch(from)}>
        {t.epochLog.branchFrom(epoch)}
      </button>
      <button type="button" disabled={!enabled} onClick={() => onCompare(from)}>
        {t.epochLog.compareFrom(epoch)}
      </button>
      {!enabled && <p className="hint">{t.epochLog.stopToBranch}</p>}
    </>
  );
}
