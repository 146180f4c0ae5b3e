/**
 * What each conv block computed for the current input: every channel's activation after conv + ReLU,
 * as a small heatmap, with the shapes the pooling produces. One canvas per layer.
 */
import { memo, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { FeatureMap } from '../../shared/protocol';
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
  return (
    <section className="feature-maps" aria-label="Feature maps">
      <h2>What the network sees inside: feature maps</h2>
      {!hasInput || !maps ? (
        <p className="hint">Draw a digit, or pick a misclassified test image below, to see its feature maps.</p>
      ) : (
        <div className="feature-map-layers">
          {maps.map((map) => (
            <LayerMaps key={map.layer} map={map} />
          ))}
        </div>
      )}
      <details className="explanation" open>
        <summary>What am I looking at?</summary>
        <p>
          <strong>Convolution.</strong> Each small square is one channel: a 3×3 filter slid over the whole image (padding 1, so the size
          stays), answering &ldquo;how much of my pattern is here?&rdquo; at every position. The ReLU then keeps only the positive
          answers, so dark means &ldquo;not found&rdquo; and bright &ldquo;found&rdquo;. conv1&apos;s 32 filters see raw pixels and find
          edges and strokes at one angle or another.
        </p>
        <p>
          <strong>Pooling.</strong> After each block a 2×2 max-pool keeps the strongest answer of every 2×2 patch: the map halves
          (28 → 14 → 7 → 3), the network stops caring about a pixel&apos;s exact place, and the next layer&apos;s 3×3 filter covers
          twice the area of the digit.
        </p>
        <p>
          <strong>More channels, smaller maps.</strong> 1 → 32 → 64 → 128 channels: as the maps shrink, each position describes a
          larger part of the digit (a loop, a crossing, an end of a stroke), and there are more kinds of parts to describe. The last
          128 maps of 3×3 (1,152 numbers) are all that fc1 and fc2 see to decide the digit.
        </p>
        <p>Each map is scaled to its own maximum; an all-dark map is a channel that found nothing in this input.</p>
      </details>
    </section>
  );
}

const LayerMaps = memo(function LayerMaps({ map }: { map: FeatureMap }) {
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

  const shape = `${map.channels} maps of ${map.height}×${map.width}`;
  return (
    <figure className="feature-map-layer" style={{ width: `min(100%, ${info.cssWidth}px)` }}>
      <figcaption>
        <strong>{map.layer}</strong>: 3×3 conv, {info.inputChannels} → {map.channels} channels, ReLU — {shape}
        <span className="pool-note">
          {' '}
          → max-pool 2×2 → {info.pooledTo}×{info.pooledTo}
        </span>
      </figcaption>
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={`${map.layer}: ${shape}`}
        onMouseMove={onMove}
        onMouseLeave={() => setHovered(null)}
      />
      <p className="map-readout" aria-live="off">
        {hovered !== null ? `channel ${hovered + 1} of ${map.channels}, maximum ${grid.maxima[hovered].toFixed(2)}` : '\u00a0'}
      </p>
    </figure>
  );
});
