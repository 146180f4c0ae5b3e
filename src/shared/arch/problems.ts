/**
 * Why a spec is refused, as data: the page renders these in English and Chinese, so each reason names
 * its layer and carries the numbers, never a sentence. `archProblemText` is the English rendering for
 * logs, thrown errors and tests.
 */
import { convName, denseName } from './archSpec';

/** Where a problem sits. Indices are 0-based positions in `convBlocks` / `dense`. */
export type ArchLayerRef =
  | { kind: 'spec' }
  | { kind: 'conv'; block: number }
  | { kind: 'head' }
  | { kind: 'dense'; index: number }
  | { kind: 'output' };

export type ExpectedValue =
  | { type: 'object' }
  | { type: 'list' }
  | { type: 'boolean' }
  | { type: 'integer' }
  | { type: 'oneOf'; values: readonly (string | number)[] };

export type ArchProblem =
  /** The spec's `version` is not one this build reads (nothing else is checked then). */
  | { kind: 'unknownVersion'; received: string }
  /** A field is missing or has the wrong type or value; `received` is a short rendering of what was there. */
  | { kind: 'malformed'; at: ArchLayerRef; field: string; expected: ExpectedValue; received: string }
  /** A field this version does not have (a typo, or a spec from a newer build). */
  | { kind: 'unknownField'; at: ArchLayerRef; field: string }
  /** Zero or negative channels / units. */
  | { kind: 'notPositive'; at: ArchLayerRef; field: 'channels' | 'units'; value: number }
  | { kind: 'tooWide'; at: ArchLayerRef; field: 'channels' | 'units'; value: number; limit: number }
  | { kind: 'tooManyLayers'; field: 'convBlocks' | 'dense'; count: number; limit: number }
  /** A 'valid' conv whose kernel does not fit in its input map. */
  | { kind: 'kernelLargerThanInput'; at: ArchLayerRef; kernel: number; inputSize: number }
  /** A 2×2 pool on a 1-px map: its output would be 0 px. */
  | { kind: 'pooledBelowOnePixel'; at: ArchLayerRef; inputSize: number }
  | { kind: 'tooManyParameters'; count: number; limit: number };

export function layerRefText(at: ArchLayerRef): string {
  switch (at.kind) {
    case 'spec':
      return 'the spec';
    case 'conv':
      return `conv block ${at.block + 1} (${convName(at.block)})`;
    case 'head':
      return 'the head';
    case 'dense':
      return `dense layer ${at.index + 1} (${denseName(at.index)})`;
    case 'output':
      return 'the output layer';
  }
}

function expectedText(expected: ExpectedValue): string {
  switch (expected.type) {
    case 'oneOf':
      return `one of ${expected.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'integer':
      return 'a whole number';
    case 'list':
      return 'a list';
    default:
      return `a ${expected.type}`;
  }
}

/** The problem in English, e.g. "conv block 3 (conv3): a 2×2 pool on a 1 px map leaves 0 px". */
export function archProblemText(problem: ArchProblem): string {
  switch (problem.kind) {
    case 'unknownVersion':
      return `unknown architecture spec version ${problem.received}`;
    case 'malformed':
      return `${layerRefText(problem.at)}: ${problem.field} must be ${expectedText(problem.expected)}, not ${problem.received}`;
    case 'unknownField':
      return `${layerRefText(problem.at)}: unknown field ${problem.field}`;
    case 'notPositive':
      return `${layerRefText(problem.at)}: ${problem.field} must be at least 1, not ${problem.value}`;
    case 'tooWide':
      return `${layerRefText(problem.at)}: ${problem.value} ${problem.field} is more than the limit of ${problem.limit}`;
    case 'tooManyLayers':
      return `${problem.count} ${problem.field === 'convBlocks' ? 'conv blocks' : 'dense layers'} is more than the limit of ${problem.limit}`;
    case 'kernelLargerThanInput':
      return `${layerRefText(problem.at)}: a ${problem.kernel}×${problem.kernel} kernel without padding does not fit a ${problem.inputSize} px map`;
    case 'pooledBelowOnePixel':
      return `${layerRefText(problem.at)}: a 2×2 pool on a ${problem.inputSize} px map leaves 0 px`;
    case 'tooManyParameters':
      return `${problem.count.toLocaleString('en-US')} parameters is more than the limit of ${problem.limit.toLocaleString('en-US')}`;
  }
}
