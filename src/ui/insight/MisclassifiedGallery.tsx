/**
 * The most confident mistakes of the last evaluation, as small images with true label, prediction and
 * confidence. Clicking one sends it to the input view (prediction and feature maps).
 */
import { memo, useEffect, useRef } from 'react';
import type { MisclassifiedExample, TestInsight } from '../../shared/protocol';
import type { CellSelection } from './ConfusionMatrix';

interface GalleryProps {
  insight: TestInsight;
  filter: CellSelection | null;
  onClearFilter: () => void;
  onPick: (example: MisclassifiedExample) => void;
  pickedIndex: number | null;
}

export function MisclassifiedGallery({ insight, filter, onClearFilter, onPick, pickedIndex }: GalleryProps) {
  const shown = filter
    ? insight.misclassified.filter((m) => m.label === filter.label && m.predicted === filter.predicted)
    : insight.misclassified;
  return (
    <section className="gallery" aria-label="Misclassified examples">
      <h3>Misclassified examples</h3>
      <p className="gallery-note">
        {insight.misclassifiedCount === 0
          ? 'No test image was misclassified.'
          : `${insight.misclassifiedCount.toLocaleString()} of ${insight.evaluated.toLocaleString()} test images were misclassified; ` +
            `the ${insight.misclassified.length} most confident mistakes are kept${filter ? `, ${shown.length} of them true ${filter.label} predicted ${filter.predicted}` : ''}. ` +
            'Click one to look inside the network.'}
        {filter && (
          <>
            {' '}
            <button type="button" className="link-button" onClick={onClearFilter}>
              Show all
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
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvasRef.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(28, 28);
    example.pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
    context.putImageData(image, 0, 0);
  }, [example]);
  const confidence = `${(100 * example.confidence).toFixed(0)}%`;
  return (
    <button
      type="button"
      className={picked ? 'gallery-item picked' : 'gallery-item'}
      aria-label={`Test image ${example.index}: true ${example.label}, predicted ${example.predicted} with ${confidence} confidence`}
      aria-pressed={picked}
      onClick={() => onPick(example)}
    >
      <canvas ref={canvasRef} width={28} height={28} aria-hidden="true" />
      <span className="gallery-caption">
        {example.label}→{example.predicted} <span className="confidence">{confidence}</span>
      </span>
    </button>
  );
});
