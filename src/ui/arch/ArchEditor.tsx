/**
 * The architecture editor: presets, then the network block by block (conv blocks, head, dense layers),
 * each setting a labelled native control, and beside it the consequences computed live (LayersTable).
 *
 * The component keeps its own draft (src/ui/arch/archDraft.ts), so a half-typed or impossible network
 * can be shown with its reasons. Only a spec that `checkArchSpec` accepts and that differs from the
 * current one reaches `onChange`; while the draft is refused, the `spec` prop (the last valid one) stays
 * in effect and the editor says so. A `spec` that changes from outside (the URL, another control)
 * replaces the draft.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { analyzeArch } from '../../shared/arch/analysis';
import {
  ACTIVATIONS,
  ARCH_LIMITS,
  HEAD_KINDS,
  KERNEL_SIZES,
  PADDINGS,
  POOLINGS,
  STRIDES,
  archSpecsEqual,
  convName,
  denseName,
  type Activation,
  type ArchSpec,
  type HeadKind,
  type KernelSize,
  type Padding,
  type Pooling,
  type Stride,
} from '../../shared/arch/archSpec';
import { ARCH_PRESETS, ARCH_PRESET_IDS, type ArchPresetId } from '../../shared/arch/presets';
import type { ArchLayerRef, ArchProblem } from '../../shared/arch/problems';
import { checkArchSpec } from '../../shared/arch/validate';
import { useI18n } from '../i18n/useI18n';
import {
  addConvBlock,
  addDenseLayer,
  draftCandidate,
  draftFromSpec,
  moveRow,
  removeRow,
  updateConvBlock,
  updateDenseLayer,
  updateHead,
  type ArchDraft,
  type ConvRow,
  type DenseRow,
  type RowList,
} from './archDraft';
import { ARCH_MESSAGES, type ArchMessages } from './archMessages';
import { archSummary } from './archSummary';
import { LayersTable } from './LayersTable';
import { archProblemMessage } from './problemText';
import './archEditor.css';

export interface ArchEditorProps {
  /** The network in effect: always a valid spec (the last one this editor passed on, or one from outside). */
  spec: ArchSpec;
  /** Called with each new valid spec, never with one `checkArchSpec` refuses. */
  onChange: (spec: ArchSpec) => void;
  /** A run (running or paused) exists: it keeps the network it started with until Reset. */
  runExists: boolean;
  /** `spec` differs from the network of the run in progress, which only Reset changes. */
  pendingReset: boolean;
}

/** The control of a row that receives focus after an add, move or remove: `data-focus-key` values. */
const focusKey = (list: RowList, id: number, control: 'width' | 'up' | 'down') => `${list}-${id}-${control}`;
const addKey = (list: RowList) => `${list}-add`;

export function ArchEditor({ spec, onChange, runExists, pendingReset }: ArchEditorProps) {
  const { locale } = useI18n();
  const m = ARCH_MESSAGES[locale];
  const headingId = useId();
  const rootRef = useRef<HTMLElement>(null);
  const pendingFocus = useRef<string | null>(null);

  // `basis` is the spec the draft stands for: the prop when the draft was made from it, or the last spec
  // passed to onChange. A prop that differs from it came from outside and replaces the draft.
  const [editor, setEditor] = useState(() => ({ draft: draftFromSpec(spec), basis: spec }));
  let { draft, basis } = editor;
  if (!archSpecsEqual(basis, spec)) {
    draft = draftFromSpec(spec, draft.nextId);
    basis = spec;
    setEditor({ draft, basis });
  }

  useEffect(() => {
    const key = pendingFocus.current;
    if (key === null) return;
    pendingFocus.current = null;
    rootRef.current?.querySelector<HTMLElement>(`[data-focus-key="${key}"]`)?.focus();
  });

  /** Takes the edited draft; passes its spec on when it is valid and new; then moves focus if asked. */
  const commit = (next: ArchDraft, focus?: string) => {
    const result = checkArchSpec(draftCandidate(next));
    const apply = result.ok && !archSpecsEqual(result.spec, basis);
    setEditor({ draft: next, basis: apply ? result.spec : basis });
    if (apply) onChange(result.spec);
    if (focus !== undefined) pendingFocus.current = focus;
  };

  const move = (list: RowList, id: number, delta: -1 | 1) => {
    const rows: readonly { id: number }[] = draft[list];
    const to = rows.findIndex((row) => row.id === id) + delta;
    // Stay on the button pressed, unless the row reached the end where that button is disabled.
    const atEnd = delta === -1 ? to === 0 : to === rows.length - 1;
    const [pressed, other] = delta === -1 ? (['up', 'down'] as const) : (['down', 'up'] as const);
    commit(moveRow(draft, list, id, delta), focusKey(list, id, atEnd ? other : pressed));
  };
  const remove = (list: RowList, id: number) => {
    const rows: readonly { id: number }[] = draft[list];
    const index = rows.findIndex((row) => row.id === id);
    const remaining = rows.filter((row) => row.id !== id);
    // The row that takes its place (or the one before, when the last went), else the Add button.
    const next = remaining[index] ?? remaining[index - 1];
    commit(removeRow(draft, list, id), next ? focusKey(list, next.id, 'width') : addKey(list));
  };

  const check = checkArchSpec(draftCandidate(draft));
  const draftProblems = check.ok ? [] : check.problems;
  const presetId = check.ok ? ARCH_PRESET_IDS.find((id) => archSpecsEqual(check.spec, ARCH_PRESETS[id])) : undefined;
  // The table shows the draft whenever it can be analysed (a refused one up to the layer that fails),
  // else the network in effect.
  const analysis = check.analysis ?? analyzeArch(spec);
  const analysisOfDraft = check.analysis !== null;
  const spatialSizes = check.analysis?.spatialSizes;
  const problemsAt = (at: ArchLayerRef) => draftProblems.filter((problem) => 'at' in problem && sameLayer(problem.at, at));

  const timing = pendingReset ? m.timing.pendingReset : runExists ? m.timing.run : m.timing.noRun;
  return (
    <section className="arch-editor" aria-labelledby={headingId} ref={rootRef}>
      <div className="arch-header">
        <h2 id={headingId}>{m.heading}</h2>
        <p className="arch-summary">{archSummary(spec, locale)}</p>
      </div>
      <p className={pendingReset ? 'arch-timing arch-timing-pending' : 'arch-timing'}>{timing}</p>
      <div className="arch-problems-region" aria-live="polite">
        {draftProblems.length > 0 && (
          <div className="arch-problems">
            <p className="arch-problems-heading">{m.invalid.heading}</p>
            <ul>
              {draftProblems.map((problem, i) => (
                <li key={i}>{archProblemMessage(problem, m)}</li>
              ))}
            </ul>
            <p className="arch-not-applied">{m.invalid.notApplied(archSummary(spec, locale))}</p>
          </div>
        )}
      </div>
      <div className="arch-panels">
        <div className="arch-stack">
          <PresetPicker presetId={presetId} m={m} onPick={(id) => commit(draftFromSpec(ARCH_PRESETS[id], draft.nextId))} />

          <h3>{m.conv.heading}</h3>
          {draft.convBlocks.length === 0 && <p className="arch-hint">{m.conv.none}</p>}
          <ol className="arch-rows">
            {draft.convBlocks.map((row, index) => (
              <li key={row.id}>
                <ConvBlockEditor
                  row={row}
                  index={index}
                  count={draft.convBlocks.length}
                  sizes={spatialSizes && index + 1 < spatialSizes.length ? [spatialSizes[index], spatialSizes[index + 1]] : null}
                  problems={problemsAt({ kind: 'conv', block: index })}
                  m={m}
                  onEdit={(change) => commit(updateConvBlock(draft, row.id, change))}
                  onMove={(delta) => move('convBlocks', row.id, delta)}
                  onRemove={() => remove('convBlocks', row.id)}
                />
              </li>
            ))}
          </ol>
          <AddButton
            label={m.conv.add}
            focus={addKey('convBlocks')}
            atLimit={draft.convBlocks.length >= ARCH_LIMITS.convBlocks}
            limitText={m.atMost(ARCH_LIMITS.convBlocks)}
            onAdd={() => commit(addConvBlock(draft), focusKey('convBlocks', draft.nextId, 'width'))}
          />

          <HeadEditor draft={draft} m={m} problems={problemsAt({ kind: 'head' })} onEdit={(change) => commit(updateHead(draft, change))} />

          <h3>{m.dense.heading}</h3>
          <ol className="arch-rows">
            {draft.dense.map((row, index) => (
              <li key={row.id}>
                <DenseLayerEditor
                  row={row}
                  index={index}
                  count={draft.dense.length}
                  problems={problemsAt({ kind: 'dense', index })}
                  m={m}
                  onEdit={(change) => commit(updateDenseLayer(draft, row.id, change))}
                  onMove={(delta) => move('dense', row.id, delta)}
                  onRemove={() => remove('dense', row.id)}
                />
              </li>
            ))}
          </ol>
          <AddButton
            label={m.dense.add}
            focus={addKey('dense')}
            atLimit={draft.dense.length >= ARCH_LIMITS.denseLayers}
            limitText={m.atMost(ARCH_LIMITS.denseLayers)}
            onAdd={() => commit(addDenseLayer(draft), focusKey('dense', draft.nextId, 'width'))}
          />
          <p className="arch-output">{m.dense.output(denseName(draft.dense.length))}</p>
          <p className="arch-hint">{m.dropoutNote}</p>
        </div>

        <LayersTable
          analysis={analysis}
          convBlocks={analysisOfDraft ? draft.convBlocks : spec.convBlocks}
          problems={analysisOfDraft ? draftProblems : []}
          note={draftProblems.length === 0 ? null : analysisOfDraft ? m.analysis.stopsAtProblem : m.analysis.showsInEffect}
          m={m}
        />
      </div>
    </section>
  );
}

function sameLayer(a: ArchLayerRef, b: ArchLayerRef): boolean {
  if (a.kind === 'conv' && b.kind === 'conv') return a.block === b.block;
  if (a.kind === 'dense' && b.kind === 'dense') return a.index === b.index;
  return a.kind === b.kind;
}

/** Which of a row's controls a problem is about, for aria-invalid. */
function problemControl(problem: ArchProblem): 'width' | 'kernel' | 'pooling' | 'kind' | null {
  switch (problem.kind) {
    case 'notPositive':
    case 'tooWide':
      return 'width';
    case 'malformed':
      return problem.field === 'channels' || problem.field === 'units' ? 'width' : null;
    case 'kernelLargerThanInput':
      return 'kernel';
    case 'pooledBelowOnePixel':
      return 'pooling';
    default:
      return null;
  }
}

function PresetPicker({ presetId, m, onPick }: { presetId: ArchPresetId | undefined; m: ArchMessages; onPick: (id: ArchPresetId) => void }) {
  const id = useId();
  return (
    <div className="arch-preset">
      <label htmlFor={id}>{m.preset}</label>
      <select id={id} value={presetId ?? 'custom'} onChange={(e) => onPick(e.target.value as ArchPresetId)}>
        {presetId === undefined && (
          <option value="custom" disabled>
            {m.custom}
          </option>
        )}
        {ARCH_PRESET_IDS.map((preset) => (
          <option key={preset} value={preset}>
            {m.presets[preset]}
          </option>
        ))}
      </select>
      {presetId !== undefined && <p className="arch-hint">{m.presetHints[presetId]}</p>}
    </div>
  );
}

/** A control with a visible short label and, for screen readers, the row it belongs to: "Block 2 channels". */
function Field({ prefix, label, children }: { prefix: string; label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="arch-field">
      <label htmlFor={id}>
        <span className="arch-hidden">{prefix}</span>
        {label}
      </label>
      {children(id)}
    </div>
  );
}

function Checkbox({ prefix, label, checked, onChange }: { prefix: string; label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="arch-check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span className="arch-hidden">{prefix}</span>
      {label}
    </label>
  );
}

function Select<T extends string | number>(props: {
  id: string;
  value: T;
  options: readonly T[];
  text: (value: T) => string;
  onChange: (value: T) => void;
  invalid?: boolean;
  describedBy?: string;
}) {
  const { options, onChange } = props;
  return (
    <select
      id={props.id}
      value={String(props.value)}
      aria-invalid={props.invalid || undefined}
      aria-describedby={props.invalid ? props.describedBy : undefined}
      onChange={(e) => onChange(options.find((option) => String(option) === e.target.value) ?? props.value)}
    >
      {options.map((option) => (
        <option key={option} value={String(option)}>
          {props.text(option)}
        </option>
      ))}
    </select>
  );
}

function WidthInput(props: { id: string; value: string; limit: number; focus: string; invalid: boolean; describedBy: string; onChange: (text: string) => void }) {
  return (
    <input
      id={props.id}
      className="arch-width"
      type="number"
      inputMode="numeric"
      min={1}
      max={props.limit}
      step={1}
      value={props.value}
      data-focus-key={props.focus}
      aria-invalid={props.invalid || undefined}
      aria-describedby={props.invalid ? props.describedBy : undefined}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

interface RowActionsProps {
  list: RowList;
  row: { id: number };
  index: number;
  count: number;
  names: { up: string; down: string; remove: string };
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}

function RowActions({ list, row, index, count, names, onMove, onRemove }: RowActionsProps) {
  return (
    <div className="arch-row-actions">
      <button type="button" className="arch-icon-button" aria-label={names.up} title={names.up} disabled={index === 0} data-focus-key={focusKey(list, row.id, 'up')} onClick={() => onMove(-1)}>
        ↑
      </button>
      <button
        type="button"
        className="arch-icon-button"
        aria-label={names.down}
        title={names.down}
        disabled={index === count - 1}
        data-focus-key={focusKey(list, row.id, 'down')}
        onClick={() => onMove(1)}
      >
        ↓
      </button>
      <button type="button" className="arch-icon-button" aria-label={names.remove} title={names.remove} onClick={onRemove}>
        ✕
      </button>
    </div>
  );
}

function RowProblems({ id, problems, m }: { id: string; problems: readonly ArchProblem[]; m: ArchMessages }) {
  if (problems.length === 0) return null;
  return (
    <p className="arch-row-problem" id={id}>
      {problems.map((problem) => archProblemMessage(problem, m)).join(' ')}
    </p>
  );
}

interface ConvBlockEditorProps {
  row: ConvRow;
  index: number;
  count: number;
  /** The map's size into and out of the block, when the draft can be analysed that far. */
  sizes: readonly [number, number] | null;
  problems: readonly ArchProblem[];
  m: ArchMessages;
  onEdit: (change: Partial<Omit<ConvRow, 'id'>>) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}

function ConvBlockEditor({ row, index, count, sizes, problems, m, onEdit, onMove, onRemove }: ConvBlockEditorProps) {
  const problemId = useId();
  const block = index + 1;
  const prefix = m.conv.controlPrefix(block);
  const invalid = new Set(problems.map(problemControl));
  return (
    <fieldset className={problems.length > 0 ? 'arch-row arch-row-invalid' : 'arch-row'}>
      <legend>
        {m.conv.legend(block)} <span className="arch-layer-name">{convName(index)}</span>
        {sizes && <span className="arch-map-sizes"> {m.mapSizes(sizes[0], sizes[1])}</span>}
      </legend>
      <div className="arch-row-body">
        <div className="arch-fields">
          <Field prefix={prefix} label={m.fields.channels}>
            {(id) => (
              <WidthInput
                id={id}
                value={row.channels}
                limit={ARCH_LIMITS.channels}
                focus={focusKey('convBlocks', row.id, 'width')}
                invalid={invalid.has('width')}
                describedBy={problemId}
                onChange={(channels) => onEdit({ channels })}
              />
            )}
          </Field>
          <Field prefix={prefix} label={m.fields.kernel}>
            {(id) => (
              <Select<KernelSize>
                id={id}
                value={row.kernel}
                options={KERNEL_SIZES}
                text={(k) => `${k}×${k}`}
                invalid={invalid.has('kernel')}
                describedBy={problemId}
                onChange={(kernel) => onEdit({ kernel })}
              />
            )}
          </Field>
          <Field prefix={prefix} label={m.fields.stride}>
            {(id) => <Select<Stride> id={id} value={row.stride} options={STRIDES} text={String} onChange={(stride) => onEdit({ stride })} />}
          </Field>
          <Field prefix={prefix} label={m.fields.padding}>
            {(id) => <Select<Padding> id={id} value={row.padding} options={PADDINGS} text={(p) => m.paddings[p]} onChange={(padding) => onEdit({ padding })} />}
          </Field>
          <Field prefix={prefix} label={m.fields.activation}>
            {(id) => (
              <Select<Activation> id={id} value={row.activation} options={ACTIVATIONS} text={(a) => m.activations[a]} onChange={(activation) => onEdit({ activation })} />
            )}
          </Field>
          <Field prefix={prefix} label={m.fields.pooling}>
            {(id) => (
              <Select<Pooling>
                id={id}
                value={row.pooling}
                options={POOLINGS}
                text={(p) => m.poolings[p]}
                invalid={invalid.has('pooling')}
                describedBy={problemId}
                onChange={(pooling) => onEdit({ pooling })}
              />
            )}
          </Field>
          <Checkbox prefix={prefix} label={m.fields.batchNorm} checked={row.batchNorm} onChange={(batchNorm) => onEdit({ batchNorm })} />
        </div>
        <RowActions
          list="convBlocks"
          row={row}
          index={index}
          count={count}
          names={{ up: m.conv.moveUp(block), down: m.conv.moveDown(block), remove: m.conv.remove(block) }}
          onMove={onMove}
          onRemove={onRemove}
        />
      </div>
      <RowProblems id={problemId} problems={problems} m={m} />
    </fieldset>
  );
}

interface DenseLayerEditorProps {
  row: DenseRow;
  index: number;
  count: number;
  problems: readonly ArchProblem[];
  m: ArchMessages;
  onEdit: (change: Partial<Omit<DenseRow, 'id'>>) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}

function DenseLayerEditor({ row, index, count, problems, m, onEdit, onMove, onRemove }: DenseLayerEditorProps) {
  const problemId = useId();
  const layer = index + 1;
  const prefix = m.dense.controlPrefix(layer);
  const invalid = new Set(problems.map(problemControl));
  return (
    <fieldset className={problems.length > 0 ? 'arch-row arch-row-invalid' : 'arch-row'}>
      <legend>
        {m.dense.legend(layer)} <span className="arch-layer-name">{denseName(index)}</span>
      </legend>
      <div className="arch-row-body">
        <div className="arch-fields">
          <Field prefix={prefix} label={m.fields.units}>
            {(id) => (
              <WidthInput
                id={id}
                value={row.units}
                limit={ARCH_LIMITS.units}
                focus={focusKey('dense', row.id, 'width')}
                invalid={invalid.has('width')}
                describedBy={problemId}
                onChange={(units) => onEdit({ units })}
              />
            )}
          </Field>
          <Field prefix={prefix} label={m.fields.activation}>
            {(id) => (
              <Select<Activation> id={id} value={row.activation} options={ACTIVATIONS} text={(a) => m.activations[a]} onChange={(activation) => onEdit({ activation })} />
            )}
          </Field>
          <Checkbox prefix={prefix} label={m.fields.dropout} checked={row.dropoutAfter} onChange={(dropoutAfter) => onEdit({ dropoutAfter })} />
        </div>
        <RowActions
          list="dense"
          row={row}
          index={index}
          count={count}
          names={{ up: m.dense.moveUp(layer), down: m.dense.moveDown(layer), remove: m.dense.remove(layer) }}
          onMove={onMove}
          onRemove={onRemove}
        />
      </div>
      <RowProblems id={problemId} problems={problems} m={m} />
    </fieldset>
  );
}

function HeadEditor({ draft, m, problems, onEdit }: { draft: ArchDraft; m: ArchMessages; problems: readonly ArchProblem[]; onEdit: (change: Partial<ArchDraft['head']>) => void }) {
  const problemId = useId();
  return (
    <fieldset className={problems.length > 0 ? 'arch-row arch-head arch-row-invalid' : 'arch-row arch-head'}>
      <legend>{m.head.heading}</legend>
      <div className="arch-fields">
        <Field prefix={m.head.controlPrefix} label={m.head.kind}>
          {(id) => <Select<HeadKind> id={id} value={draft.head.kind} options={HEAD_KINDS} text={(kind) => m.head.kinds[kind]} onChange={(kind) => onEdit({ kind })} />}
        </Field>
        <Checkbox prefix="" label={m.head.dropout} checked={draft.head.dropoutAfter} onChange={(dropoutAfter) => onEdit({ dropoutAfter })} />
      </div>
      <RowProblems id={problemId} problems={problems} m={m} />
    </fieldset>
  );
}

function AddButton({ label, focus, atLimit, limitText, onAdd }: { label: string; focus: string; atLimit: boolean; limitText: string; onAdd: () => void }) {
  return (
    <p className="arch-add">
      <button type="button" data-focus-key={focus} disabled={atLimit} onClick={onAdd}>
        <span aria-hidden="true">+ </span>
        {label}
      </button>
      {atLimit && <span className="arch-hint"> {limitText}</span>}
    </p>
  );
}
