import type { BackendInfo, DataFacts } from '../../shared/protocol';
import { formatInteger } from '../format';

interface StatusPanelProps {
  backend: BackendInfo | null;
  data: DataFacts | null;
  paramCount: number | null;
  loading: { message: string; fraction: number } | null;
  tensorCounts: number[];
}

/** Which backend and adapter run the network and why, what data was verified, the model's size. */
export function StatusPanel({ backend, data, paramCount, loading, tensorCounts }: StatusPanelProps) {
  return (
    <section className="status" role="status">
      {backend ? (
        <p>
          <strong>Backend: {backend.name}</strong> — {backend.adapter}
          {backend.software && ' (software)'}. <span className="reason">{backend.reason}</span>
        </p>
      ) : (
        <p>{loading?.message ?? 'Starting the training worker…'}</p>
      )}
      {data && (
        <p>
          MNIST verified (SHA-256, IDX headers): {formatInteger(data.trainImages)} training and {formatInteger(data.testImages)} test
          images, {(data.bytesOnWire / 1e6).toFixed(1)} MB downloaded.
        </p>
      )}
      {paramCount !== null && (
        <p>
          SimpleCNN: <span className="param-count">{formatInteger(paramCount)}</span> parameters.
          {tensorCounts.length > 0 && (
            <span className="tensor-counts"> Tensors in the worker after each epoch: {tensorCounts.join(', ')}.</span>
          )}
        </p>
      )}
    </section>
  );
}
