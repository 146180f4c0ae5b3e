/**
 * Why a TensorFlow.js model file's architecture was refused, as data (the pattern of `ModelFileText` in
 * ../texts.ts): the network a model.json describes is read from its layers, so a refusal names the
 * layer, the setting and what this app's networks can have there, and the page says it in its own
 * language. `englishModelArchText` is the English wording, which the worker also sends as `message`.
 *
 * These replace texts.ts's SimpleCNN-only `model.layerNoClass`, `model.wrongLayers`,
 * `model.layerMismatch` and `model.unknownWeight`: a file may now hold any architecture the spec can
 * describe (../arch/archSpec.ts).
 */
import { archProblemText, type ArchProblem } from '../arch/problems';

export type ModelArchText =
  /** The topology is a functional `Model` (or another class), not a `Sequential` stack. */
  | { key: 'modelArch.notSequential'; className: string }
  /** Layer `index` (1-based, in "modelTopology") has no class_name. */
  | { key: 'modelArch.layerNoClass'; index: number }
  /** A layer type that no architecture spec has (LSTM, Conv1D, …). */
  | { key: 'modelArch.unsupportedLayer'; layer: string; className: string }
  /** A known layer where this app's layer order has no place for it; `previous` is the layer before it (null: it is first). */
  | { key: 'modelArch.misplacedLayer'; layer: string; className: string; previous: string | null; previousClassName: string | null }
  /** The layers stop before the 10-way output Dense layer; `last` is the last one (null: there are none). */
  | { key: 'modelArch.incomplete'; last: string | null; lastClassName: string | null }
  /** A conv block or hidden Dense layer applies no activation (linear, no Activation layer after it). */
  | { key: 'modelArch.noActivation'; layer: string; className: string }
  /**
   * A setting this app's networks do not have: `field` as model.json names it, `value` as JSON, `wanted`
   * the values it could have, each as JSON (e.g. `[3, 3]`, `"relu"`).
   */
  | { key: 'modelArch.unsupportedSetting'; layer: string; className: string; field: string; value: string; wanted: string[] }
  /** The layers describe an architecture that validation refuses (too many parameters, a map pooled below 1 px, …). */
  | { key: 'modelArch.invalidSpec'; problems: ArchProblem[] }
  /** `userDefinedMetadata.architecture` is not an architecture's compact form (`value` as JSON, shortened). */
  | { key: 'modelArch.metadataUnreadable'; value: string }
  /** The compact form in the metadata and the one the layers describe differ: the file was edited by hand. */
  | { key: 'modelArch.metadataDisagrees'; metadata: string; topology: string }
  /** A weight that none of the layers has; `expected` lists the weights they have. */
  | { key: 'modelArch.unknownWeight'; name: string; expected: string[] };

export type ModelArchTextKey = ModelArchText['key'];

export function isModelArchText(text: { key: string }): text is ModelArchText {
  return text.key.startsWith('modelArch.');
}

/** The order of layers this app reads, in the words of the refusals that point to it. */
const LAYER_ORDER =
  "this app's networks are conv blocks (ZeroPadding2D if needed, Conv2D, BatchNormalization if any, the activation, " +
  'MaxPooling2D or AveragePooling2D if any), then Flatten or GlobalAveragePooling2D, then Dense layers, ' +
  'with Dropout after the Flatten or pooling and after hidden Dense layers, and a 10-unit Dense layer last';

const alternatives = (values: readonly string[]) =>
  values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

const layerNamed = (name: string, className: string) => `"${name}" (${className})`;

export function englishModelArchText(text: ModelArchText): string {
  switch (text.key) {
    case 'modelArch.notSequential':
      return `The model is a ${text.className}, not a Sequential stack of layers; this app reads Sequential models only.`;
    case 'modelArch.layerNoClass':
      return `Layer ${text.index} in "modelTopology" has no class_name.`;
    case 'modelArch.unsupportedLayer':
      return (
        `Layer ${layerNamed(text.layer, text.className)} is of a type this app's networks do not have; they are built of ` +
        'Conv2D, ZeroPadding2D, BatchNormalization, Activation, MaxPooling2D, AveragePooling2D, Flatten, ' +
        'GlobalAveragePooling2D, Dropout and Dense layers.'
      );
    case 'modelArch.misplacedLayer':
      return (
        `Layer ${layerNamed(text.layer, text.className)} cannot come ` +
        (text.previous === null ? 'first' : `after ${layerNamed(text.previous, text.previousClassName ?? '?')}`) +
        `: ${LAYER_ORDER}.`
      );
    case 'modelArch.incomplete':
      return (
        (text.last === null ? 'The model has no layers' : `The layers end with ${layerNamed(text.last, text.lastClassName ?? '?')}`) +
        `, before the 10-unit output Dense layer: ${LAYER_ORDER}.`
      );
    case 'modelArch.noActivation':
      return (
        `Layer ${layerNamed(text.layer, text.className)} applies no activation; in this app's networks every conv block ` +
        'and hidden Dense layer applies "relu", "gelu" or "tanh" (in the layer, or as an Activation layer after it).'
      );
    case 'modelArch.unsupportedSetting':
      return `Layer ${layerNamed(text.layer, text.className)} has ${text.field} ${text.value}; this app's networks have ${alternatives(text.wanted)} there.`;
    case 'modelArch.invalidSpec':
      return `The model's architecture cannot be used here: ${text.problems.map(archProblemText).join('; ')}.`;
    case 'modelArch.metadataUnreadable':
      return `The model's userDefinedMetadata gives the architecture ${text.value}, which is not an architecture this app can read.`;
    case 'modelArch.metadataDisagrees':
      return (
        `The model's layers describe the architecture ${text.topology}, but its userDefinedMetadata says ${text.metadata}: ` +
        'the file was changed after it was saved.'
      );
    case 'modelArch.unknownWeight':
      return `model.json has a weight that none of its layers has: "${text.name}". Expected exactly these weights: ${text.expected.join(', ')}.`;
  }
}
