/**
 * The 10×10 confusion matrix of the last evaluation as a heatmap table, with per-class accuracy in the
 * last column. Each cell is a button: hovering or focusing shows its count, clicking filters the
 * misclassified gallery to that mistake.
 */
import { useState } from 'react';
import type { TestInsight } from '../../shared/protocol';
import { useI18n } from '../i18n/useI18n';
import { DIGITS, cellCount, cellShade, matrixTotal, perClassAccuracy, rowTotals } from './confusion';

export interface CellSelection {
  label: number;
  predicted: number;
}

interface ConfusionMatrixProps {
  insight: TestInsight;
  selected: CellSelection | null;
  onSelect: (cell: CellSelection | null) => void;
}

export function ConfusionMatrix({ insight, selected, onSelect }: ConfusionMatrixProps) {
  const { t, formatPercent } = useI18n();
  const [hovered, setHovered] = useState<CellSelection | null>(null);
  const { confusion } = insight;
  const totals = rowTotals(confusion);
  const accuracy = perClassAccuracy(confusion);
  const describe = ({ label, predicted }: CellSelection) =>
    t.confusion.cell(label, predicted, cellCount(confusion, label, predicted), totals[label]);

  return (
    <div className="confusion">
      <table className="confusion-matrix" aria-label={t.confusion.table}>
        <caption>{t.confusion.caption(matrixTotal(confusion))}</caption>
        <thead>
          <tr>
            <th scope="col" className="corner">
              {t.confusion.corner}
            </th>
            {DIGITS.map((d) => (
              <th key={d} scope="col">
                {d}
              </th>
            ))}
            <th scope="col" className="class-accuracy">
              {t.confusion.accuracy}
            </th>
          </tr>
        </thead>
        <tbody>
          {DIGITS.map((label) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {DIGITS.map((predicted) => {
                const cell = { label, predicted };
                const count = cellCount(confusion, label, predicted);
                const shade = cellShade(confusion, label, predicted);
                const isSelected = selected?.label === label && selected.predicted === predicted;
                const hue = label === predicted ? '210, 70%' : '8, 75%';
                return (
                  <td key={predicted} data-count={count}>
                    <button
                      type="button"
                      className={isSelected ? 'cell selected' : 'cell'}
                      style={{ background: `hsl(${hue}, ${98 - shade * 58}%)`, color: shade > 0.6 ? '#fff' : undefined }}
                      aria-label={describe(cell)}
                      aria-pressed={isSelected}
                      title={describe(cell)}
                      onMouseEnter={() => setHovered(cell)}
                      onMouseLeave={() => setHovered(null)}
                      onFocus={() => setHovered(cell)}
                      onBlur={() => setHovered(null)}
                      onClick={() => onSelect(isSelected || label === predicted ? null : cell)}
                    >
                      <span className="count">{count}</span>
                    </button>
                  </td>
                );
              })}
              <td className="class-accuracy">{accuracy[label] === null ? '–' : formatPercent(accuracy[label], 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="confusion-readout" aria-live="polite">
        {hovered ? describe(hovered) : t.confusion.readoutHint}
      </p>
    </div>
  );
}
