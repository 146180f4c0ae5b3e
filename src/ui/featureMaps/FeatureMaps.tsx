/**
 * What each conv block computed for the current input: every channel's activation after conv + ReLU,
 * as a small heatmap, with the shapes the pooling produces. One canvas per layer.
 */
import { memo, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { FeatureMap } from '../../shared/protocol';
import { useI18n } from '../i18n/useI18n';
import { channelAt, featureMapGrid } from './featureMapImage';

interface LayerInfo {
  /** Grid columns; the canvas is scaled up to `cssWidth`. */
  columns: number;
  cssWidth: number;
  inputChannels: number;
  pooledTo: number;
}

const LAYERS: Record<FeatureMap['layer'], LayerInfo> = {
  conv1: { columns: 8, cssWidth: 464, inputChannels: 1, pooledTo: 14 },
  conv2: { columns: 16, cssWidth: 480, inputChannels: 32, pooledTo: 7 },
  conv3: { columns: 16, cssWidth: 480, inputChannels: 64, pooledTo: 3 },
};

export function FeatureMaps({ maps, hasInput }: { maps: FeatureMap[] | null; hasInput: boolean }) {
  const { t } = useI18n();
  const m = t.featureMaps;
  return (
    <section className="feature-maps" aria-label={m.region}>
      <h2>{m.heading}</h2>
      {!hasInput || !maps ? (
        <p className="hint">{m.hint}</p>
      ) : (
        <div className="feature-map-layers">
          {maps.map((map) => (
            <LayerMaps key={map.layer} map={map} />
          ))}
        </div>
      )}
      <details className="explanation" open>
        <summary>{m.explanationSummary}</summary>
        <p>
          <strong>{m.convolutionTitle}</strong>
          {m.convolutionBody}
        </p>
        <p>
          <strong>{m.poolingTitle}</strong>
          {m.poolingBody}
        </p>
        <p>
          <strong>{m.channelsTitle}</strong>
          {m.channelsBody}
        </p>
        <p>{m.scaling}</p>
      </details>
    </section>
  );
}

const LayerMaps = memo(function LayerMaps({ map }: { map: FeatureMap }) {
  const { t } = useI18n();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hovered, setHovered] = useState<number | null>(null);
  const info = LAYERS[map.layer];
  // Hovering re-renders the readout only; the image is rebuilt when a new map arrives.
  const grid = useMemo(() => featureMapGrid(map, info.columns), [map, info.columns]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    canvas.width = grid.width;
    canvas.height = grid.height;
    context.putImageData(new ImageData(grid.rgba, grid.width, grid.height), 0, 0);
  }, [grid]);

  const onMove = (event: MouseEvent<HTMLCanvasElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = Math.floor(((event.clientX - rect.left) / rect.width) * grid.width);
    const y = Math.floor(((event.clientY - rect.top) / rect.height) * grid.height);
    setHovered(channelAt(map, info.columns, x, y));
  };

  const shape = t.featureMaps.shape(map.channels, map.height, map.width);
  return (
    <figure className="feature-map-layer" style={{ width: `min(100%, ${info.cssWidth}px)` }}>
      <figcaption>
        <strong>{map.layer}</strong>
        {t.featureMaps.layer(info.inputChannels, map.channels)}
        {shape}
        <span className="pool-note">{t.featureMaps.pool(info.pooledTo)}</span>
      </figcaption>
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={`${map.layer}: ${shape}`}
        onMouseMove={onMove}
        onMouseLeave={() => setHovered(null)}
      />
      <p className="map-readout" aria-live="off">
        {hovered !== null ? t.featureMaps.readout(hovered + 1, map.channels, grid.maxima[hovered]) : '\u00a0'}
      </p>
    </figure>
  );
});
