/**
 * The run's controls: every hyperparameter of the recipe, each with its value and when a change reaches
 * a running run (FIELD_TIMING: at once, from the next batch, from the next epoch, or after Reset).
 * The seed's recipe (epochs, learning rate, batch size, optimizer) is always shown; the other settings
 * sit in a "More settings" group that remembers whether it was left open.
 */
import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import {
  BACKEND_CHOICES,
  MAX_WORKERS,
  FIELD_TIMING,
  sameFieldValue,
  NUMBER_SPECS,
  OPTIMIZER_KINDS,
  clampField,
  type BackendChoice,
  type OptimizerKind,
  type TrainConfig,
} from '../../shared/config';
import type { RunState } from '../../shared/protocol';
import { formatLearningRate } from '../format';
import { useI18n } from '../i18n/useI18n';
import { useRememberedOpen } from '../layout/useRememberedOpen';
import { fromLogSlider, toLogSlider, WEIGHT_DECAY_SLIDER } from './logSlider';

const BATCH_SIZES = Array.from({ length: 7 }, (_, i) => 16 * 2 ** i); // 16 … 1024
/** 1e-5 … 0.1, log10. Larger rates (up to NUMBER_SPECS.lr.max) come only from the URL; the slider then sits at its end. */
const LR_SLIDER = { min: Math.log10(NUMBER_SPECS.lr.min), max: -1 };
/** localStorage key of the "More settings" group's open state. */
const MORE_SETTINGS_STORAGE_KEY = 'mnist-lab.moreSettingsOpen';

interface ControlsProps {
  config: TrainConfig;
  /** The configuration the run in progress started with (null when none is): pending changes show against it. */
  runConfig: TrainConfig | null;
  runState: RunState;
  canTrain: boolean;
  /** The learning rate in use now (base × γ^⌊epoch/step⌋), or what the first epoch will use. */
  effectiveLearningRate: number;
  onChange: (change: Partial<TrainConfig>) => void;
  onNotice: (notice: string) => void;
  onTrainButton: () => void;
  onStop: () => void;
  onReset: () => void;
  onCompare: () => void;
  compareHint: string;
}

export function Controls(props: ControlsProps) {
  const { config, runConfig, runState, canTrain, effectiveLearningRate, onChange } = props;
  const { t, formatNumber, formatInteger } = useI18n();
  const runExists = runState === 'running' || runState === 'paused';
  const trainLabel = runState === 'running' ? t.controls.pause : runState === 'paused' ? t.controls.resume : t.controls.train;
  const pendingReset = runConfig !== null && (Object.keys(FIELD_TIMING) as (keyof TrainConfig)[]).some(
    (field) => FIELD_TIMING[field] === 'reset' && field !== 'backend' && field !== 'workers' && !sameFieldValue(field, runConfig, config),
  );
  const field = (key: keyof TrainConfig) => ({ timing: FIELD_TIMING[key], pending: runConfig !== null && !sameFieldValue(key, runConfig, config) });
  const decay = config.weightDecay === 0 ? '0' : formatLearningRate(config.weightDecay);
  const moreSettings = useRememberedOpen(MORE_SETTINGS_STORAGE_KEY, false);
  return (
    <section className="controls" aria-label={t.controls.region}>
      <div className="buttons">
        <button type="button" className="primary" onClick={props.onTrainButton} disabled={!canTrain && !runExists}>
          {trainLabel}
        </button>
        <button type="button" onClick={props.onStop} disabled={!runExists}>
          {t.controls.stop}
        </button>
        <button type="button" className={pendingReset ? 'attention' : undefined} onClick={props.onReset} disabled={runState === 'loading'}>
          {t.controls.reset}
        </button>
        <button type="button" onClick={props.onCompare} disabled={!canTrain} title={props.compareHint}>
          {t.compare.button}
        </button>
      </div>
      {pendingReset && <p className="pending-note">{t.controls.pendingReset}</p>}
      <div className="fields">
        <IntegerField label={t.controls.epochs} name="epochs" {...props} {...field('epochs')} />
        <Field label={t.controls.learningRate} {...field('lr')} value={formatLearningRate(config.lr)}>
          {(id) => (
            <input
              id={id}
              type="range"
              min={LR_SLIDER.min}
              max={LR_SLIDER.max}
              step={0.05}
              value={Math.min(LR_SLIDER.max, Math.log10(config.lr))}
              aria-valuetext={formatLearningRate(config.lr)}
              onChange={(e) => onChange({ lr: Number((10 ** Number(e.target.value)).toPrecision(3)) })}
            />
          )}
        </Field>
        <Field label={t.controls.batchSize} {...field('batch')}>
          {(id) => (
            <select id={id} value={config.batch} onChange={(e) => onChange({ batch: Number(e.target.value) })}>
              {BATCH_SIZES.map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t.controls.optimizer} {...field('optimizer')}>
          {(id) => (
            <select id={id} value={config.optimizer} onChange={(e) => onChange({ optimizer: e.target.value as OptimizerKind })}>
              {OPTIMIZER_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t.controls.optimizers[kind]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <p className="effective-lr">
        {t.controls.effectiveLearningRate}: <strong>{formatLearningRate(effectiveLearningRate)}</strong>{' '}
        <span className="formula">{t.controls.effectiveFormula(formatLearningRate(config.lr), config.lrGamma, config.lrStep)}</span>
      </p>
      {/* The seed's recipe stays in view; the rest waits here, collapsed unless the user left it open. */}
      <details className="more-settings" open={moreSettings.open} onToggle={moreSettings.onToggle}>
        <summary>
          <span>{t.controls.moreSettings}</span>{' '}
          <span className="more-settings-values">
            {t.controls.moreSettingsValues({
              weightDecay: decay,
              lrStep: config.lrStep,
              lrGamma: formatNumber(config.lrGamma, { maximumFractionDigits: 2 }),
              dropout: formatNumber(config.dropout, { maximumFractionDigits: 2 }),
              seed: config.seed,
              trainSize: formatInteger(config.trainSize),
              testSize: formatInteger(config.testSize),
            })}
          </span>
        </summary>
        <div className="fields">
          <Field label={t.controls.weightDecay} {...field('weightDecay')} value={decay}>
            {(id) => (
              <input
                id={id}
                type="range"
                min={WEIGHT_DECAY_SLIDER.min}
                max={WEIGHT_DECAY_SLIDER.max}
                step={WEIGHT_DECAY_SLIDER.step}
                value={toLogSlider(config.weightDecay, WEIGHT_DECAY_SLIDER)}
                aria-valuetext={decay}
                onChange={(e) => onChange({ weightDecay: fromLogSlider(Number(e.target.value), WEIGHT_DECAY_SLIDER) })}
              />
            )}
          </Field>
          <IntegerField label={t.controls.lrStepSize} name="lrStep" {...props} {...field('lrStep')} />
          <Field label={t.controls.lrGamma} {...field('lrGamma')} value={formatNumber(config.lrGamma, { maximumFractionDigits: 2 })}>
            {(id) => (
              <input
                id={id}
                type="range"
                min={NUMBER_SPECS.lrGamma.min}
                max={NUMBER_SPECS.lrGamma.max}
                step={0.01}
                value={config.lrGamma}
                onChange={(e) => onChange({ lrGamma: clampField('lrGamma', Number(e.target.value)) })}
              />
            )}
          </Field>
          <Field label={t.controls.dropout} {...field('dropout')} value={formatNumber(config.dropout, { maximumFractionDigits: 2 })}>
            {(id) => (
              <input
                id={id}
                type="range"
                min={NUMBER_SPECS.dropout.min}
                max={NUMBER_SPECS.dropout.max}
                step={0.05}
                value={config.dropout}
                onChange={(e) => onChange({ dropout: clampField('dropout', Number(e.target.value)) })}
              />
            )}
          </Field>
          <IntegerField label={t.controls.seed} name="seed" {...props} {...field('seed')} />
          <Field label={t.controls.backend} timing="reset" pending={false}>
            {(id) => (
              // A backend is a worker: switching it mid-run would end the run, so it waits for no run.
              <select id={id} value={config.backend} disabled={runExists} onChange={(e) => onChange({ backend: e.target.value as BackendChoice })}>
                {BACKEND_CHOICES.map((choice) => (
                  <option key={choice} value={choice}>
                    {t.controls.backends[choice]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t.controls.cpuWorkers} timing="reset" pending={false}>
            {(id) => (
              // The pool is the worker's: like the backend, a new size starts a fresh worker, so it waits for no run.
              <select id={id} value={config.workers} disabled={runExists} onChange={(e) => onChange({ workers: Number(e.target.value) })}>
                <option value={0}>{t.controls.cpuWorkersAuto(navigator.hardwareConcurrency || 1)}</option>
                {Array.from({ length: MAX_WORKERS }, (_, i) => i + 1).map((count) => (
                  <option key={count} value={count}>
                    {count}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <IntegerField label={t.controls.trainingImages} name="trainSize" {...props} {...field('trainSize')} />
          <IntegerField label={t.controls.testImages} name="testSize" {...props} {...field('testSize')} />
        </div>
      </details>
    </section>
  );
}

interface FieldProps {
  label: string;
  timing: (typeof FIELD_TIMING)[keyof TrainConfig];
  /** The value differs from the running run's and waits for the moment `timing` says. */
  pending: boolean;
  value?: string;
  children: (id: string) => ReactNode;
}

function Field({ label, timing, pending, value, children }: FieldProps) {
  const id = useId();
  const { t } = useI18n();
  const when = { now: t.controls.liveNow, batch: t.controls.liveNextBatch, epoch: t.controls.liveNextEpoch, reset: t.controls.needsReset }[timing];
  return (
    <div className={pending && timing === 'reset' ? 'field pending' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {/* Not an <output>: that element is an implicit status region, and the page has one status, the backend's. */}
      {value !== undefined && <span className="value">{value}</span>}
      <span className={`timing timing-${timing}`}>{when}</span>
    </div>
  );
}

type IntegerName = 'epochs' | 'trainSize' | 'testSize' | 'seed' | 'lrStep';

/**
 * An integer input that applies valid values as they are typed and clamps the rest when the user
 * leaves the field (typing "60000" must not be clamped at "6").
 */
function IntegerField({
  label,
  name,
  config,
  onChange,
  onNotice,
  timing,
  pending,
}: { label: string; name: IntegerName; timing: FieldProps['timing']; pending: boolean } & Pick<ControlsProps, 'config' | 'onChange' | 'onNotice'>) {
  const { t } = useI18n();
  const { min, max } = NUMBER_SPECS[name];
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft === null) return;
    const value = Number(draft);
    setDraft(null);
    if (draft.trim() === '' || !Number.isFinite(value)) {
      onNotice(t.controls.notANumber(label, draft, config[name]));
      return;
    }
    const clamped = clampField(name, value);
    if (clamped !== value) onNotice(t.controls.outOfRange(label, draft, min, max, clamped));
    onChange({ [name]: clamped });
  };
  return (
    <Field label={label} timing={timing} pending={pending}>
      {(id) => (
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          value={draft ?? String(config[name])}
          onChange={(e) => {
            const text = e.target.value;
            setDraft(text);
            const value = Number(text);
            if (text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max) onChange({ [name]: value });
          }}
          onBlur={commit}
          onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
            if (e.key === 'Enter') commit();
          }}
        />
      )}
    </Field>
  );
}
