import { describe, expect, it } from 'vitest';
import { ARCH_PRESETS } from './arch/presets';
import { DEFAULT_CONFIG } from './config';
import { parseConfigHash, serializeConfigHash } from './urlState';
import { englishText } from './texts';

describe('parseConfigHash', () => {
  it('gives the defaults, with no notice, for an empty hash', () => {
    expect(parseConfigHash('')).toEqual({ config: DEFAULT_CONFIG, notices: [], texts: [] });
    expect(parseConfigHash('#')).toEqual({ config: DEFAULT_CONFIG, notices: [], texts: [] });
  });

  it('reads the documented example', () => {
    const { config, notices } = parseConfigHash('#epochs=2&backend=wasm&trainSize=2048&testSize=1000');
    expect(notices).toEqual([]);
    expect(config).toEqual({ ...DEFAULT_CONFIG, epochs: 2, backend: 'wasm', trainSize: 2048, testSize: 1000 });
  });

  it('reads every key', () => {
    const { config, notices } = parseConfigHash(
      'epochs=3&lr=0.0005&opt=sgd&arch=f256&batch=64&backend=webgl&workers=3&seed=42&trainSize=100&testSize=50&wd=0&lrStep=2&lrGamma=0.1&dropout=0.5',
    );
    expect(notices).toEqual([]);
    expect(config).toEqual({
      arch: ARCH_PRESETS.mlp,
      epochs: 3,
      lr: 0.0005,
      optimizer: 'sgd',
      batch: 64,
      backend: 'webgl',
      workers: 3,
      seed: 42,
      trainSize: 100,
      testSize: 50,
      weightDecay: 0,
      lrStep: 2,
      lrGamma: 0.1,
      dropout: 0.5,
    });
  });

  it('clamps out-of-range numbers, with a notice each', () => {
    const { config, notices } = parseConfigHash('#epochs=500&lr=50&trainSize=-3&testSize=20000');
    expect(config).toMatchObject({ epochs: 50, lr: 10, trainSize: 1, testSize: 10000 });
    expect(notices).toEqual([
      'epochs=500 is outside 1–50; using 50.',
      'lr=50 is outside 0.00001–10; using 10.',
      'trainSize=-3 is outside 1–60000; using 1.',
      'testSize=20000 is outside 1–10000; using 10000.',
    ]);
  });

  it('rounds integers and snaps the batch size to a power of two', () => {
    const { config, notices } = parseConfigHash('epochs=2.6&batch=100');
    expect(config.epochs).toBe(3);
    expect(config.batch).toBe(128);
    expect(notices).toEqual(['epochs=2.6 is not an allowed value; using 3.', 'batch=100 is not an allowed value; using 128.']);
  });

  it('ignores malformed values and unknown keys, keeping the defaults', () => {
    const { config, notices } = parseConfigHash('#lr=abc&epochs=&backend=tpu&colour=red&seed=1e400');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(notices).toEqual([
      'lr=abc is not a number; using 0.001.',
      'epochs= is not a number; using 10.',
      'backend=tpu is not one of auto, webgpu, webgl, wasm, cpu; using auto.',
      'Ignored unknown setting "colour".',
      'seed=1e400 is not a number; using 0.',
    ]);
  });

  it('gives each notice as a text too, for the page to show in its language', () => {
    const { notices, texts } = parseConfigHash('#epochs=500&batch=100&opt=lion&colour=red&lr=abc');
    expect(texts.map(englishText)).toEqual(notices);
    expect(texts).toEqual([
      { key: 'url.outOfRange', setting: 'epochs', raw: '500', min: 1, max: 50, using: 50 },
      { key: 'url.notAllowed', setting: 'batch', raw: '100', using: 128 },
      { key: 'url.badChoice', setting: 'opt', raw: 'lion', options: ['adam', 'adamw', 'sgd'], using: 'adam' },
      { key: 'url.unknownKey', setting: 'colour' },
      { key: 'url.notNumber', setting: 'lr', raw: 'abc', using: 0.001 },
    ]);
  });
});

describe('serializeConfigHash', () => {
  it('writes every field, defaults included', () => {
    expect(serializeConfigHash(DEFAULT_CONFIG)).toBe(
      'epochs=10&lr=0.001&opt=adam&arch=c32p-c64p-c128p-f256&batch=128&backend=auto&workers=auto&seed=0&trainSize=60000&testSize=10000&wd=0.0001&lrStep=7&lrGamma=0.5&dropout=0.25',
    );
  });

  it('round-trips any valid configuration', () => {
    const config = { ...DEFAULT_CONFIG, epochs: 7, lr: 0.000316, batch: 1024, backend: 'cpu' as const, seed: 4294967295, weightDecay: 0.05 };
    expect(parseConfigHash(serializeConfigHash(config))).toEqual({ config, notices: [], texts: [] });
  });

  it('round-trips every optimizer and every hyperparameter of the recipe, seed included', () => {
    for (const optimizer of ['adam', 'adamw', 'sgd'] as const) {
      const config = { ...DEFAULT_CONFIG, optimizer, weightDecay: 0, lrStep: 3, lrGamma: 0.1, dropout: 0.5, seed: 12345, batch: 16, epochs: 50 };
      expect(parseConfigHash(serializeConfigHash(config))).toEqual({ config, notices: [], texts: [] });
    }
  });
});

describe('optimizer and weight decay in the hash', () => {
  it('reads opt=adamw and refuses an unknown optimizer', () => {
    expect(parseConfigHash('#opt=adamw').config.optimizer).toBe('adamw');
    const { config, notices } = parseConfigHash('#opt=lion');
    expect(config.optimizer).toBe('adam');
    expect(notices).toEqual(['opt=lion is not one of adam, adamw, sgd; using adam.']);
  });

  it('snaps a weight decay below 1e-6 to 0 or 1e-6, the slider has nothing between', () => {
    expect(parseConfigHash('#wd=0').config.weightDecay).toBe(0);
    expect(parseConfigHash('#wd=1e-7').config.weightDecay).toBe(0);
    expect(parseConfigHash('#wd=8e-7').config.weightDecay).toBe(1e-6);
    expect(parseConfigHash('#wd=1').config.weightDecay).toBe(0.1);
  });
});

describe('CPU workers in the hash', () => {
  it('reads workers=auto as 0 (every core), a count as itself, and clamps past the most a pool may have', () => {
    expect(parseConfigHash('#workers=auto').config.workers).toBe(0);
    expect(parseConfigHash('#workers=4').config.workers).toBe(4);
    const { config, notices } = parseConfigHash('#workers=99');
    expect(config.workers).toBe(16);
    expect(notices).toEqual(['workers=99 is outside 0–16; using 16.']);
  });

  it('writes 0 as auto and round-trips a count', () => {
    expect(serializeConfigHash({ ...DEFAULT_CONFIG, workers: 0 })).toContain('workers=auto');
    const config = { ...DEFAULT_CONFIG, workers: 3 };
    expect(parseConfigHash(serializeConfigHash(config))).toEqual({ config, notices: [], texts: [] });
  });
});

describe('the network in the hash', () => {
  it('reads a compact form, writes it back, and round-trips every preset', () => {
    expect(parseConfigHash('#arch=c32p-c32p-c32p-f256').config.arch).toEqual(ARCH_PRESETS.constant32);
    expect(serializeConfigHash(DEFAULT_CONFIG)).toContain('arch=c32p-c64p-c128p-f256');
    for (const arch of Object.values(ARCH_PRESETS)) {
      const config = { ...DEFAULT_CONFIG, arch };
      expect(parseConfigHash(serializeConfigHash(config))).toEqual({ config, notices: [], texts: [] });
    }
  });

  it('keeps the network it had, with the reason, for a form that is not one or a network that cannot work', () => {
    const garbled = parseConfigHash('#arch=c32p-zz');
    expect(garbled.config.arch).toEqual(DEFAULT_CONFIG.arch);
    expect(garbled.notices).toEqual([
      'arch=c32p-zz is not a network this app can build: "zz" (part 2) is not a conv block (c32p), a head (flat, gap) or a dense layer (f256); using c32p-c64p-c128p-f256.',
    ]);
    const pooledAway = parseConfigHash('#arch=c32p-c32p-c32p-c32p-c32p-f256');
    expect(pooledAway.config.arch).toEqual(DEFAULT_CONFIG.arch);
    expect(pooledAway.texts[0]).toMatchObject({ key: 'url.badArch', error: { kind: 'invalidSpec' } });
    expect(pooledAway.notices[0]).toMatch(/^arch=c32p-c32p-c32p-c32p-c32p-f256 is not a network this app can build: .*conv5.*; using c32p-c64p-c128p-f256\.$/);
  });
});
