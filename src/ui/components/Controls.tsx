/**
 * The run's controls. Epochs and the learning rate are live (the worker reads them between batches);
 * the others take effect at the next Train and are locked while a run exists.
 */
import { useId, useState, type KeyboardEvent } from 'react';
import { BACKEND_CHOICES, NUMBER_SPECS, clampField, type BackendChoice, type TrainConfig } from '../../shared/config';
import type { RunState } from '../../shared/protocol';
import { formatInteger, formatLearningRate } from '../format';

const BACKEND_LABELS: Record<BackendChoice, string> = {
  auto: 'Auto (fastest available)',
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM (CPU)',
  cpu: 'CPU (plain JavaScript)',
};

const BATCH_SIZES = Array.from({ length: 7 }, (_, i) => 16 * 2 ** i); // 16 … 1024
const LOG_LR_MIN = Math.log10(NUMBER_SPECS.lr.min);
const LOG_LR_MAX = Math.log10(NUMBER_SPECS.lr.max);

interface ControlsProps {
  config: TrainConfig;
  runState: RunState;
  canTrain: boolean;
  onChange: (change: Partial<TrainConfig>) => void;
  onNotice: (notice: string) => void;
  onTrainButton: () => void;
  onStop: () => void;
}

export function Controls({ config, runState, canTrain, onChange, onNotice, onTrainButton, onStop }: ControlsProps) {
  const runExists = runState === 'running' || runState === 'paused';
  const trainLabel = runState === 'running' ? 'Pause' : runState === 'paused' ? 'Resume' : 'Train';
  const lrId = useId();
  const batchId = useId();
  const backendId = useId();
  return (
    <section className="controls" aria-label="Controls">
      <div className="buttons">
        <button type="button" className="primary" onClick={onTrainButton} disabled={!canTrain && !runExists}>
          {trainLabel}
        </button>
        <button type="button" onClick={onStop} disabled={!runExists}>
          Stop
        </button>
      </div>
      <NumberField label="Epochs" field="epochs" config={config} onChange={onChange} onNotice={onNotice} />
      <div className="field">
        <label htmlFor={lrId}>Learning rate</label>
        <input
          id={lrId}
          type="range"
          min={LOG_LR_MIN}
          max={LOG_LR_MAX}
          step={0.05}
          value={Math.log10(config.lr)}
          aria-valuetext={formatLearningRate(config.lr)}
          onChange={(e) => onChange({ lr: Number((10 ** Number(e.target.value)).toPrecision(3)) })}
        />
        {/* Not an <output>: that element is an implicit status region, and the page has one status, the backend's. */}
        <span className="value">{formatLearningRate(config.lr)}</span>
      </div>
      <div className="field">
        <label htmlFor={batchId}>Batch size</label>
        <select id={batchId} value={config.batch} disabled={runExists} onChange={(e) => onChange({ batch: Number(e.target.value) })}>
          {BATCH_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={backendId}>Backend</label>
        <select
          id={backendId}
          value={config.backend}
          disabled={runExists}
          onChange={(e) => onChange({ backend: e.target.value as BackendChoice })}
        >
          {BACKEND_CHOICES.map((choice) => (
            <option key={choice} value={choice}>
              {BACKEND_LABELS[choice]}
            </option>
          ))}
        </select>
      </div>
      <NumberField label="Training images" field="trainSize" config={config} onChange={onChange} onNotice={onNotice} disabled={runExists} />
      <NumberField label="Test images" field="testSize" config={config} onChange={onChange} onNotice={onNotice} disabled={runExists} />
      <NumberField label="Seed" field="seed" config={config} onChange={onChange} onNotice={onNotice} disabled={runExists} />
    </section>
  );
}

type IntegerField = 'epochs' | 'trainSize' | 'testSize' | 'seed';

interface NumberFieldProps {
  label: string;
  field: IntegerField;
  config: TrainConfig;
  onChange: (change: Partial<TrainConfig>) => void;
  onNotice: (notice: string) => void;
  disabled?: boolean;
}

/**
 * An integer input that applies valid values as they are typed and clamps the rest when the user
 * leaves the field (typing "60000" must not be clamped at "6").
 */
function NumberField({ label, field, config, onChange, onNotice, disabled }: NumberFieldProps) {
  const id = useId();
  const { min, max } = NUMBER_SPECS[field];
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft === null) return;
    const value = Number(draft);
    setDraft(null);
    if (draft.trim() === '' || !Number.isFinite(value)) {
      onNotice(`${label}: "${draft}" is not a number; kept ${formatInteger(config[field])}.`);
      return;
    }
    const clamped = clampField(field, value);
    if (clamped !== value) onNotice(`${label}: ${draft} is outside ${formatInteger(min)}–${formatInteger(max)}; using ${formatInteger(clamped)}.`);
    onChange({ [field]: clamped });
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={draft ?? String(config[field])}
        disabled={disabled}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const value = Number(text);
          if (text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max) onChange({ [field]: value });
        }}
        onBlur={commit}
        onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </div>
  );
}
