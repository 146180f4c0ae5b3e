/**
 * The test-set insight after an epoch: the confusion matrix and the gallery of mistakes, which filters
 * by a clicked cell. Memoized, and given its insight through `useDeferredValue` in App: its hundreds of
 * elements are rendered after the epoch's row and the charts, in slices React can interrupt, instead of
 * in the task that brought the epoch's results while the workers hold every core.
 */
import { memo, useState } from 'react';
import type { MisclassifiedExample, TestInsight } from '../../shared/protocol';
import { useI18n } from '../i18n/useI18n';
import { ConfusionMatrix, type CellSelection } from './ConfusionMatrix';
import { MisclassifiedGallery } from './MisclassifiedGallery';

/** An evaluation's insight and the number of epochs done when it was taken. */
export interface EpochInsight {
  insight: TestInsight;
  epoch: number;
}

interface InsightSectionProps {
  shown: EpochInsight;
  /** The test image shown in the input view, if one is. */
  pickedIndex: number | null;
  onPick: (example: MisclassifiedExample) => void;
}

export const InsightSection = memo(function InsightSection({ shown, pickedIndex, onPick }: InsightSectionProps) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<CellSelection | null>(null);
  const { insight, epoch } = shown;
  return (
    <section className="insight" aria-label={t.app.insightRegion}>
      <h2>{t.app.insightHeading(epoch)}</h2>
      <div className="insight-panels">
        <ConfusionMatrix insight={insight} selected={filter} onSelect={setFilter} />
        <MisclassifiedGallery insight={insight} filter={filter} onClearFilter={() => setFilter(null)} pickedIndex={pickedIndex} onPick={onPick} />
      </div>
    </section>
  );
});
