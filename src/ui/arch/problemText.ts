/**
 * `checkArchSpec`'s problems in the page's language: each names its layer the way the editor labels it
 * ("Block 2 (conv2)") and carries its numbers. English mirrors `archProblemText` (src/shared/arch/problems.ts)
 * except where the editor can say it better: a width that is not a whole number comes from a half-typed
 * field, so the text says what to enter rather than quoting NaN.
 */
import { convName, denseName } from '../../shared/arch/archSpec';
import type { ArchLayerRef, ArchProblem, ExpectedValue } from '../../shared/arch/problems';
import type { ArchMessages } from './archMessages';

export function layerRefMessage(at: ArchLayerRef, m: ArchMessages): string {
  switch (at.kind) {
    case 'spec':
      return m.where.spec;
    case 'conv':
      return m.where.conv(at.block + 1, convName(at.block));
    case 'head':
      return m.where.head;
    case 'dense':
      return m.where.dense(at.index + 1, denseName(at.index));
    case 'output':
      return m.where.output;
  }
}

/** A spec field by its editor label; a field the editor does not know (an unknown one) as written. */
function fieldMessage(field: string, m: ArchMessages): string {
  return Object.hasOwn(m.fields, field) ? m.fields[field as keyof ArchMessages['fields']] : field;
}

function expectedMessage(expected: ExpectedValue, m: ArchMessages): string {
  return expected.type === 'oneOf' ? m.expected.oneOf(expected.values.map((value) => JSON.stringify(value)).join(', ')) : m.expected[expected.type];
}

export function archProblemMessage(problem: ArchProblem, m: ArchMessages): string {
  switch (problem.kind) {
    case 'unknownVersion':
      return m.problems.unknownVersion(problem.received);
    case 'malformed':
      return m.problems.malformed(layerRefMessage(problem.at, m), fieldMessage(problem.field, m), expectedMessage(problem.expected, m));
    case 'unknownField':
      return m.problems.unknownField(layerRefMessage(problem.at, m), problem.field);
    case 'notPositive':
      return m.problems.notPositive(layerRefMessage(problem.at, m), fieldMessage(problem.field, m), problem.value);
    case 'tooWide':
      return m.problems.tooWide(layerRefMessage(problem.at, m), fieldMessage(problem.field, m), problem.value, problem.limit);
    case 'tooManyLayers':
      return problem.field === 'convBlocks'
        ? m.problems.tooManyConvBlocks(problem.count, problem.limit)
        : m.problems.tooManyDenseLayers(problem.count, problem.limit);
    case 'kernelLargerThanInput':
      return m.problems.kernelLargerThanInput(layerRefMessage(problem.at, m), problem.kernel, problem.inputSize);
    case 'pooledBelowOnePixel':
      return m.problems.pooledBelowOnePixel(layerRefMessage(problem.at, m), problem.inputSize);
    case 'tooManyParameters':
      return m.problems.tooManyParameters(problem.count, problem.limit);
  }
}
