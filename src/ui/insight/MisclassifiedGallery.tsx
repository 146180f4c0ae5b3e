/**
 * The most confident mistakes of the last evaluation, as small images with true label, prediction and
 * confidence. Clicking one sends it to the input view (prediction and feature maps).
 */
import { memo, useEffect, useRef } from 'react';
import type { MisclassifiedExample, TestInsight } from '../../shared/protocol';
import { paintGray28 } from '../drawing/paintGray';
import { useI18n } from '../i18n/useI18n';
import type { CellSelection } from './ConfusionMatrix';

interface GalleryProps {
  insight: TestInsight;
  filter: CellSelection | null;
  onClearFilter: () => void;
  onPick: (example: MisclassifiedExample) => void;
  pickedIndex: number | null;
}

export function MisclassifiedGallery({ insight, filter, onClearFilter, onPick, pickedIndex }: GalleryProps) {
  const { t } = useI18n();
  const shown = filter
    ? insight.misclassified.filter((m) => m.label === filter.label && m.predicted === filter.predicted)
    : insight.misclassified;
  return (
    <section className="gallery" aria-label={t.gallery.region}>
      <h3>{t.gallery.heading}</h3>
      <p className="gallery-note">
        {insight.misclassifiedCount === 0
          ? t.gallery.none
          : t.gallery.note(
              insight.misclassifiedCount,
              insight.evaluated,
              insight.misclassified.length,
              filter ? { shown: shown.length, label: filter.label, predicted: filter.predicted } : null,
            )}
        {filter && (
          <>
            {' '}
            <button type="button" className="link-button" onClick={onClearFilter}>
              {t.gallery.showAll}
            </button>
          </>
        )}
      </p>
      <ul className="gallery-grid">
        {shown.map((example) => (
          <li key={example.index}>
            <GalleryItem example={example} picked={example.index === pickedIndex} onPick={onPick} />
          </li>
        ))}
      </ul>
    </section>
  );
}

const GalleryItem = memo(function GalleryItem({
  example,
  picked,
  onPick,
}: {
  example: MisclassifiedExample;
  picked: boolean;
  onPick: (example: MisclassifiedExample) => void;
}) {
  const { t } = useI18n();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    paintGray28(canvasRef.current, (i) => example.pixels[i]);
  }, [example]);
  return (
    <button
      type="button"
      className={picked ? 'gallery-item picked' : 'gallery-item'}
      aria-label={t.gallery.item(example.index, example.label, example.predicted, example.confidence)}
      aria-pressed={picked}
      onClick={() => onPick(example)}
    >
      <canvas ref={canvasRef} width={28} height={28} aria-hidden="true" />
      <span className="gallery-caption">
        {example.label}→{example.predicted} <span className="confidence">{t.gallery.confidence(example.confidence)}</span>
      </span>
    </button>
  );
});
