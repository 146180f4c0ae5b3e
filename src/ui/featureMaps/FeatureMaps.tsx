/**
 * What each conv block computed for the current input: every channel's activation after the conv (and
 * BatchNorm) and its activation function, as a small heatmap, with the shape its pooling produces. One
 * canvas per block, whatever the network.
 */
import { memo, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { analyzeArch } from '../../shared/arch/analysis';
import { poolName, type Activation, type ArchSpec, type Pooling } from '../../shared/arch/archSpec';
import type { FeatureMap } from '../../shared/protocol';
import { useI18n } from '../i18n/useI18n';
import { channelAt, featureMapGrid } from './featureMapImage';

/** What the caption says of one conv block, from the network that made the maps. */
interface BlockInfo {
  kernel: number;
  stride: number;
  inputChannels: number;
  activation: Activation;
  pooling: Pooling;
  /** The map's side after the block's pooling. */
  pooledTo: number;
}

function blockInfos(arch: ArchSpec): BlockInfo[] {
  const conv = analyzeArch(arch).layers;
  return arch.convBlocks.map((block, i) => {
    const pooled = conv.find((layer) => layer.name === poolName(i));
    return {
      kernel: block.kernel,
      stride: block.stride,
      inputChannels: i === 0 ? 1 : arch.convBlocks[i - 1].channels,
      activation: block.activation,
      pooling: block.pooling,
      pooledTo: pooled ? pooled.outputShape[0] : 0,
    };
  });
}

/** Grid columns: a row of up to 8 for a few channels, 16 for many, so every grid is about as wide. */
const ACTIVATION_LABELS: Readonly<Record<Activation, string>> = { relu: 'ReLU', gelu: 'GELU', tanh: 'tanh' };

const columnsFor = (channels: number) => (channels <= 8 ? channels : channels <= 32 ? 8 : 16);

export function FeatureMaps({ maps, network, hasInput }: { maps: FeatureMap[] | null; network: ArchSpec | null; hasInput: boolean }) {
  const { t } = useI18n();
  const blocks = useMemo(() => (network ? blockInfos(network) : []), [network]);
  const m = t.featureMaps;
  return (
    <section className="feature-maps" aria-label={m.region}>
      <h2>{m.heading}</h2>
      {!hasInput || !maps ? (
        <p className="hint">{m.hint}</p>
      ) : (
        <div className="feature-map-layers">
          {maps.map((map, i) => (
            <LayerMaps key={map.layer} map={map} block={blocks[i] ?? null} />
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

const LayerMaps = memo(function LayerMaps({ map, block }: { map: FeatureMap; block: BlockInfo | null }) {
  const { t } = useI18n();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hovered, setHovered] = useState<number | null>(null);
  const columns = columnsFor(map.channels);
  // Hovering re-renders the readout only; the image is rebuilt when a new map arrives.
  const grid = useMemo(() => featureMapGrid(map, columns), [map, columns]);
  // Scaled up by a whole factor (crisp pixels) to at most 480 CSS pixels.
  const cssWidth = Math.min(480, grid.width * Math.max(1, Math.floor(480 / grid.width)));

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
    setHovered(channelAt(map, columns, x, y));
  };

  const shape = t.featureMaps.shape(map.channels, map.height, map.width);
  return (
    <figure className="feature-map-layer" style={{ width: `min(100%, ${cssWidth}px)` }}>
      <figcaption>
        <strong>{map.layer}</strong>
        {block && t.featureMaps.layer(block.kernel, block.stride, block.inputChannels, map.channels, ACTIVATION_LABELS[block.activation])}
        {shape}
        {block && block.pooling !== 'none' && <span className="pool-note">{t.featureMaps.pool(block.pooling, block.pooledTo)}</span>}
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
