/**
 * The configuration as a URL hash (`#epochs=2&backend=wasm&trainSize=2048`), so a link reproduces a run.
 * Pure string in, string out: the UI owns `location.hash`, this module owns the format.
 */
import {
  BACKEND_CHOICES,
  DEFAULT_CONFIG,
  NUMBER_SPECS,
  clampField,
  isBackendChoice,
  type TrainConfig,
} from './config';
import { formatCompactArch, parseCompactArch } from './arch/compactForm';
import { OPTIMIZER_KINDS, isOptimizerKind } from './optimizers';
import { englishText, type Text } from './texts';

/** Hash key of each config field; short where the field name is long. */
const HASH_KEYS: Readonly<Record<keyof TrainConfig, string>> = {
  epochs: 'epochs',
  lr: 'lr',
  optimizer: 'opt',
  arch: 'arch',
  batch: 'batch',
  backend: 'backend',
  workers: 'workers',
  seed: 'seed',
  trainSize: 'trainSize',
  testSize: 'testSize',
  weightDecay: 'wd',
  lrStep: 'lrStep',
  lrGamma: 'lrGamma',
  dropout: 'dropout',
};

const AUTO_WORKERS = 'auto';

const FIELD_BY_HASH_KEY = new Map(
  (Object.entries(HASH_KEYS) as [keyof TrainConfig, string][]).map(([field, key]) => [key, field]),
);

export interface ParsedHash {
  config: TrainConfig;
  /** One human-readable line per value that was clamped or ignored. */
  notices: string[];
  /** The same notices as texts (`notices[i]` is `englishText(texts[i])`), for the page's language. */
  texts: Text[];
}

export function parseConfigHash(hash: string): ParsedHash {
  const config: TrainConfig = { ...DEFAULT_CONFIG };
  const texts: Text[] = [];
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, raw] of params) {
    const field = FIELD_BY_HASH_KEY.get(key);
    if (field === undefined) {
      texts.push({ key: 'url.unknownKey', setting: key });
      continue;
    }
    if (field === 'backend') {
      if (isBackendChoice(raw)) config.backend = raw;
      else texts.push({ key: 'url.badChoice', setting: key, raw, options: BACKEND_CHOICES, using: config.backend });
      continue;
    }
    if (field === 'arch') {
      const parsed = parseCompactArch(raw.trim());
      if (parsed.ok) config.arch = parsed.spec;
      else texts.push({ key: 'url.badArch', raw, error: parsed.error, using: formatCompactArch(config.arch) });
      continue;
    }
    if (field === 'optimizer') {
      if (isOptimizerKind(raw)) config.optimizer = raw;
      else texts.push({ key: 'url.badChoice', setting: key, raw, options: OPTIMIZER_KINDS, using: config.optimizer });
      continue;
    }
    // `workers=auto` is the pool size the browser's cores give (0 in the config).
    const value = field === 'workers' && raw.trim() === AUTO_WORKERS ? 0 : raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) {
      texts.push({ key: 'url.notNumber', setting: key, raw, using: config[field] });
      continue;
    }
    const clamped = clampField(field, value);
    if (clamped !== value) {
      const { min, max } = NUMBER_SPECS[field];
      texts.push(
        value < min || value > max
          ? { key: 'url.outOfRange', setting: key, raw, min, max, using: clamped }
          : { key: 'url.notAllowed', setting: key, raw, using: clamped },
      );
    }
    config[field] = clamped;
  }
  return { config, notices: texts.map(englishText), texts };
}

/** Every field is written, defaults too, so a link means the same run even if defaults change later. */
export function serializeConfigHash(config: TrainConfig): string {
  const params = new URLSearchParams();
  for (const field of Object.keys(HASH_KEYS) as (keyof TrainConfig)[]) {
    const value = config[field];
    if (field === 'arch') params.set(HASH_KEYS[field], formatCompactArch(config.arch));
    else if (field === 'workers' && value === 0) params.set(HASH_KEYS[field], AUTO_WORKERS);
    else params.set(HASH_KEYS[field], typeof value === 'number' ? formatNumber(value) : (value as string));
  }
  return params.toString();
}

/** Integers exactly (a seed has ten digits); fractions to six significant digits, enough for any slider position. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
