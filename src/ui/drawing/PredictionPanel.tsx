import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/useI18n';
import type { InputSource } from '../usePredictor';
import { paintGray28 } from './paintGray';

/** The 28×28 image the network is given, enlarged with its pixels visible. */
export function InputPreview({ input, source }: { input: Float32Array | null; source: InputSource }) {
  const { t } = useI18n();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    paintGray28(canvasRef.current, (i) => Math.round((input?.[i] ?? 0) * 255));
  }, [input]);
  return (
    <figure className="input-preview">
      <canvas ref={canvasRef} width={28} height={28} role="img" aria-label={t.drawing.inputImage} />
      <figcaption>
        {source.kind === 'test' && input
          ? t.drawing.testImageCaption(source.index, source.label)
          : t.drawing.inputCaption}
      </figcaption>
    </figure>
  );
}

interface PredictionPanelProps {
  probabilities: number[] | null;
  trained: boolean;
  hasDrawing: boolean;
}

/** The predicted digit and the ten probabilities as bars. */
export function PredictionPanel({ probabilities, trained, hasDrawing }: PredictionPanelProps) {
  const { t } = useI18n();
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  return (
    <section className="prediction-panel" aria-label={t.prediction.panel}>
      <div className="predicted">
        <span className="label">{t.prediction.prediction}</span>
        <span className="digit" aria-label={t.prediction.prediction}>
          {best >= 0 ? String(best) : ''}
        </span>
        {!hasDrawing && <span className="hint">{t.prediction.drawHint}</span>}
        {probabilities && !trained && <span className="untrained">{t.prediction.untrained}</span>}
      </div>
      <ol className="probabilities" aria-label={t.prediction.probabilities}>
        {Array.from({ length: 10 }, (_, digit) => {
          const p = probabilities?.[digit] ?? 0;
          return (
            <li key={digit} className={digit === best ? 'best' : undefined}>
              <span className="bar-label">{probabilities ? t.prediction.probability(digit, p) : t.prediction.noProbability(digit)}</span>
              <span className="bar" style={{ width: `${100 * p}%` }} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}
