// @vitest-environment jsdom
/**
 * The editor as a learner uses it, under StrictMode (every effect mounted, cleaned up and mounted again):
 * presets and their parameter counts, edits that reach onChange exactly once, refused edits that show
 * their layer and reason and reach nothing, focus after add / move / remove, a spec changed from outside,
 * and both languages. Controls are found by their accessible names, as a screen reader would announce them.
 */
import { act, StrictMode, useEffect, useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SIMPLE_CNN_SPEC, type ArchSpec } from '../../shared/arch/archSpec';
import { ARCH_PRESETS, type ArchPresetId } from '../../shared/arch/presets';
import { I18nContext, i18nFor } from '../i18n/useI18n';
import type { Locale } from '../i18n/locale';
import { ArchEditor } from './ArchEditor';
import { testRoot } from '../testing/testRoot';

const dom = testRoot();
/** The page's side of the editor: it keeps the spec and may replace it (the URL, another control). */
let setPageSpec: (spec: ArchSpec) => void = () => undefined;
let onChange: ReturnType<typeof vi.fn<(spec: ArchSpec) => void>>;

function Page({ initial, runExists, pendingReset }: { initial: ArchSpec; runExists: boolean; pendingReset: boolean }) {
  const [spec, setSpec] = useState(initial);
  useEffect(() => {
    setPageSpec = setSpec;
  }, []);
  return (
    <ArchEditor
      spec={spec}
      runExists={runExists}
      pendingReset={pendingReset}
      onChange={(next) => {
        onChange(next);
        setSpec(next);
      }}
    />
  );
}

function renderEditor({ initial = SIMPLE_CNN_SPEC, locale = 'en', runExists = false, pendingReset = false }: { initial?: ArchSpec; locale?: Locale; runExists?: boolean; pendingReset?: boolean } = {}) {
  act(() =>
    dom.root.render(
      <StrictMode>
        <I18nContext.Provider value={i18nFor(locale, () => undefined)}>
          <Page initial={initial} runExists={runExists} pendingReset={pendingReset} />
        </I18nContext.Provider>
      </StrictMode>,
    ),
  );
}

beforeEach(() => {
  onChange = vi.fn<(spec: ArchSpec) => void>();
});

const normalize = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

/** Text as a screen reader reads it: without the parts marked aria-hidden. */
function readableText(element: Element): string {
  const copy = element.cloneNode(true) as Element;
  copy.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove());
  return normalize(copy.textContent);
}

/** The accessible name of a form control or button (aria-label, else its label, else its text). */
function accessibleName(element: Element): string {
  const ariaLabel = element.getAttribute('aria-label');
  if (ariaLabel !== null) return normalize(ariaLabel);
  const label = (element as HTMLInputElement).labels?.[0];
  return label ? readableText(label) : readableText(element);
}

function control<T extends HTMLElement = HTMLInputElement>(name: string): T {
  const matches = [...dom.container.querySelectorAll<T>('input, select, button')].filter((element) => accessibleName(element).toLowerCase() === name.toLowerCase());
  if (matches.length !== 1) throw new Error(`${matches.length} controls named "${name}"`);
  return matches[0];
}

/** Sets a field the way typing or choosing does: React listens for input (text) and change (select) events. */
function setValue(element: HTMLInputElement | HTMLSelectElement, value: string): void {
  const prototype = element instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  act(() => {
    Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(element, value);
    element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

/** What pressing Enter or Space on a focused native button does: focus, then click. */
function press(name: string): void {
  const button = control<HTMLButtonElement>(name);
  act(() => {
    button.focus();
    button.click();
  });
}

function layersTable(name: string): HTMLTableElement {
  const table = [...dom.container.querySelectorAll('table')].find((candidate) => normalize(candidate.caption?.textContent) === name);
  if (!table) throw new Error(`no table captioned "${name}"`);
  return table;
}

/** A layer's row: [output, parameters, multiply-adds, receptive field]. */
function layerRow(layer: string): string[] {
  const row = [...layersTable('Layers').tBodies[0].rows].find((tr) => normalize(tr.cells[0].firstChild?.textContent) === layer);
  if (!row) throw new Error(`no row for ${layer}`);
  return [...row.cells].slice(1).map((cell) => normalize(cell.textContent));
}

const totalParameters = () => normalize(layersTable('Layers').tFoot?.rows[0].cells[2].textContent);
const text = () => normalize(dom.container.textContent);
const convChannels = () => [1, 2, 3, 4].flatMap((block) => (text().includes(`Block ${block}`) ? [control(`Block ${block} channels`).value] : []));
const lastSpec = (): ArchSpec => onChange.mock.lastCall?.[0] as ArchSpec;

describe('ArchEditor', () => {
  it("shows the seed's network: its maps 28→14→7→3, each layer's numbers and 390,410 parameters", () => {
    renderEditor();
    expect(control<HTMLSelectElement>('Preset').value).toBe('simpleCnn');
    expect(layerRow('conv1')).toEqual(['28×28×32', '320', '225,792', '3×3']);
    expect(layerRow('pool1')).toEqual(['14×14×32', '0', '0', '4×4']);
    expect(layerRow('pool3')).toEqual(['3×3×128', '0', '0', '22×22']);
    expect(layerRow('flatten')).toEqual(['1152', '0', '0', 'whole image']);
    expect(layerRow('fc2')).toEqual(['10', '2,570', '2,560', 'whole image']);
    expect(totalParameters()).toBe('390,410');
    expect(text()).toContain('Map sizes: 28→14→7→3 px.');
    expect(text()).toContain('c32p-c64p-c128p-f256 · 390,410 parameters');
    expect(onChange).not.toHaveBeenCalled();
  });

  it.each<[ArchPresetId, string, string]>([
    ['constant32', '95,370', '28→14→7→3'],
    ['stridedNoPool', '619,786', '28→14→7→4'],
    ['globalAvgPool', '128,266', '28→14→7→3'],
    ['batchNorm', '390,634', '28→14→7→3'],
    ['lenet5', '61,706', '28→14→5'],
    ['mlp', '203,530', '28'],
  ])('choosing the preset %s shows %s parameters and passes the preset on', (preset, parameters, maps) => {
    renderEditor();
    setValue(control<HTMLSelectElement>('Preset'), preset);
    expect(totalParameters()).toBe(parameters);
    expect(text()).toContain(`Map sizes: ${maps} px.`);
    expect(text()).toContain(`· ${parameters} parameters`);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(lastSpec()).toEqual(ARCH_PRESETS[preset]);

    setValue(control<HTMLSelectElement>('Preset'), 'simpleCnn');
    expect(totalParameters()).toBe('390,410');
    expect(lastSpec()).toEqual(SIMPLE_CNN_SPEC);
  });

  it('edits a block: the table follows and onChange gets the new spec, once per edit', () => {
    renderEditor();
    setValue(control('Block 2 channels'), '32');
    expect(layerRow('conv2')).toEqual(['14×14×32', '9,248', '1,806,336', '8×8']);
    expect(layerRow('conv3')[1]).toBe('36,992');
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(lastSpec().convBlocks.map((block) => block.channels)).toEqual([32, 32, 128]);

    setValue(control<HTMLSelectElement>('Block 1 kernel'), '5');
    setValue(control<HTMLSelectElement>('Block 1 activation'), 'gelu');
    act(() => control('Block 3 BatchNorm').click());
    expect(onChange).toHaveBeenCalledTimes(4);
    expect(lastSpec().convBlocks[0]).toMatchObject({ kernel: 5, activation: 'gelu' });
    expect(lastSpec().convBlocks[2].batchNorm).toBe(true);
    expect(layerRow('bn3')[1]).toBe('256');
    expect(control<HTMLSelectElement>('Preset').value).toBe('custom');
    expect(text()).toContain('Custom');
  });

  it('edits the head, the dense layers and the dropout sites', () => {
    renderEditor();
    setValue(control<HTMLSelectElement>('Head type'), 'globalAvgPool');
    act(() => control('Dropout after the head').click());
    setValue(control('Dense layer 1 width'), '100');
    act(() => control('Dense layer 1 dropout').click());
    expect(lastSpec().head).toEqual({ kind: 'globalAvgPool', dropoutAfter: false });
    expect(lastSpec().dense).toEqual([{ units: 100, activation: 'relu', dropoutAfter: false }]);
    expect(layerRow('gap')[0]).toBe('128');
    expect(layerRow('fc1')).toEqual(['100', '12,900', '12,800', 'whole image']);
  });

  it('refuses zero channels: names the block and the reason, keeps the last valid network, passes nothing on', () => {
    renderEditor();
    const channels = control('Block 2 channels');
    setValue(channels, '0');
    expect(text()).toContain('This network cannot be built:');
    expect(text()).toContain('Block 2 (conv2): channels must be at least 1, not 0.');
    expect(text()).toContain('Not applied: the network in effect is still c32p-c64p-c128p-f256 · 390,410 parameters.');
    expect(text()).toContain('The table shows the network in effect.');
    expect(channels.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(channels.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Block 2 (conv2): channels must be at least 1, not 0.');
    expect(totalParameters()).toBe('390,410');

    setValue(channels, '');
    expect(text()).toContain('Block 2 (conv2): channels must be a whole number.');
    setValue(channels, '64'); // back to the network in effect: nothing to pass on
    expect(text()).not.toContain('cannot be built');
    expect(channels.hasAttribute('aria-invalid')).toBe(false);
    expect(onChange).not.toHaveBeenCalled();
  });

  it('refuses a map pooled below 1 px at the block that pools it, with the table ending there', () => {
    renderEditor();
    press('Add conv block'); // 3 px → 3 → pooled to 1: fine
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(text()).toContain('Map sizes: 28→14→7→3→1 px.');
    press('Add conv block'); // 1 px pooled: 0 px
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(text()).toContain('Block 5 (conv5): a 2×2 pool on a 1 px map leaves 0 px.');
    expect(layerRow('pool5')).toEqual(['Block 5 (conv5): a 2×2 pool on a 1 px map leaves 0 px.']);
    expect(control<HTMLSelectElement>('Block 5 pooling').getAttribute('aria-invalid')).toBe('true');
    expect(text()).toContain('The table stops at the layer that cannot work.');

    setValue(control<HTMLSelectElement>('Block 5 pooling'), 'none');
    expect(text()).not.toContain('cannot be built');
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(lastSpec().convBlocks).toHaveLength(5);
  });

  it('refuses more than 20 M parameters, showing where they are', () => {
    renderEditor();
    setValue(control<HTMLSelectElement>('Block 3 pooling'), 'none');
    expect(totalParameters()).toBe('1,701,130');
    expect(onChange).toHaveBeenCalledTimes(1);
    setValue(control('Dense layer 1 width'), '8192');
    expect(layerRow('fc1')[1]).toBe('51,388,416');
    expect(totalParameters()).toBe('51,563,018');
    expect(text()).toContain('51,563,018 parameters is more than the limit of 20,000,000.');
    expect(text()).toContain('the network in effect is still c32p-c64p-c128-f256 · 1,701,130 parameters');
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('adds, moves and removes blocks with buttons, focus following the block', () => {
    renderEditor();
    press('Add conv block');
    expect(document.activeElement).toBe(control('Block 4 channels'));
    setValue(control('Block 4 channels'), '16');
    expect(convChannels()).toEqual(['32', '64', '128', '16']);

    press('Move block 4 up');
    expect(convChannels()).toEqual(['32', '64', '16', '128']);
    expect(document.activeElement).toBe(control('Move block 3 up'));
    press('Move block 3 up');
    press('Move block 2 up');
    expect(convChannels()).toEqual(['16', '32', '64', '128']);
    // At the top "up" is disabled: focus moves to the same block's "down".
    expect(control<HTMLButtonElement>('Move block 1 up').disabled).toBe(true);
    expect(document.activeElement).toBe(control('Move block 1 down'));
    expect(lastSpec().convBlocks.map((block) => block.channels)).toEqual([16, 32, 64, 128]);

    press('Move block 1 down');
    expect(convChannels()).toEqual(['32', '16', '64', '128']);
    expect(document.activeElement).toBe(control('Move block 2 down'));

    press('Remove block 2');
    expect(convChannels()).toEqual(['32', '64', '128']);
    expect(document.activeElement).toBe(control('Block 2 channels')); // the block that took its place
    press('Remove block 3');
    expect(document.activeElement).toBe(control('Block 2 channels')); // the last went: the one before
    press('Remove dense layer 1');
    expect(document.activeElement).toBe(control('Add dense layer')); // none left
    expect(lastSpec().convBlocks.map((block) => block.channels)).toEqual([32, 64]);
    expect(lastSpec().dense).toEqual([]);
    expect(layerRow('fc1')[0]).toBe('10');
  });

  it('stops adding at the layer limit', () => {
    renderEditor({ initial: ARCH_PRESETS.mlp });
    for (let i = 0; i < 7; i += 1) press('Add dense layer');
    expect(control<HTMLButtonElement>('Add dense layer').disabled).toBe(true);
    expect(text()).toContain('at most 8');
    expect(lastSpec().dense).toHaveLength(8);
  });

  it('takes a spec changed from outside, replacing a refused draft', () => {
    renderEditor();
    setValue(control('Block 2 channels'), '0');
    act(() => setPageSpec(ARCH_PRESETS.lenet5));
    expect(convChannels()).toEqual(['6', '16']);
    expect(text()).not.toContain('cannot be built');
    expect(control<HTMLSelectElement>('Preset').value).toBe('lenet5');
    expect(totalParameters()).toBe('61,706');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('says when a change reaches training', () => {
    renderEditor();
    expect(text()).toContain('The network is built from these settings when you press Train.');
    renderEditor({ runExists: true });
    expect(text()).toContain('A run keeps the network it started with: changing it needs Reset.');
    renderEditor({ runExists: true, pendingReset: true });
    expect(text()).toContain('This network differs from the run in progress: press Reset to train it.');
  });

  it('speaks Chinese: names, table and reasons', () => {
    renderEditor({ locale: 'zh' });
    expect(layersTable('各层').tFoot?.rows[0].cells[2].textContent).toBe('390,410');
    setValue(control('卷积块 2 通道数'), '0');
    expect(text()).toContain('卷积块 2（conv2）：通道数至少为 1，而不是 0。');
    expect(text()).toContain('未应用：当前生效的仍是 c32p-c64p-c128p-f256 · 390,410 个参数。');
    press('添加卷积块');
    expect(document.activeElement).toBe(control('卷积块 4 通道数'));
    expect(onChange).not.toHaveBeenCalled(); // block 2 still has 0 channels
  });
});
