/** Number formats of the page, the seed's where it prints one (loss 4 decimals, % 2, LR 6). */
import type { EpochMetrics } from '../shared/protocol';

export const formatLoss = (loss: number) => loss.toFixed(4);
export const formatPercent = (percent: number) => `${percent.toFixed(2)}%`;
export const formatRate = (lr: number) => lr.toFixed(6);
export const formatInteger = (n: number) => Math.round(n).toLocaleString('en-US');

/** A learning rate short enough for a slider label: 0.001, 0.00025, 1e-5. */
export function formatLearningRate(lr: number): string {
  return lr >= 1e-4 ? String(Number(lr.toPrecision(3))) : lr.toExponential(2).replace(/\.?0+e/, 'e');
}

/** m:ss, or h:mm:ss past an hour; an em dash while unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The seed's console output, line for line, so a learner can hold it against their own terminal. */
export function seedPrintout(device: string, paramCount: number | null, history: EpochMetrics[], finalTestAccuracy: number | null): string {
  const lines = [`Using device: ${device}`];
  if (paramCount !== null) lines.push(`模型参数量: ${formatInteger(paramCount)}`);
  for (const m of history) {
    lines.push(`Epoch ${m.epoch}/${m.epochs}`);
    lines.push(` Loss: ${formatLoss(m.loss)}, Train Acc: ${formatPercent(m.trainAccuracy)}, Test Acc: ${formatPercent(m.testAccuracy)}`);
    lines.push(` Learning Rate: ${formatRate(m.learningRate)}`);
  }
  if (finalTestAccuracy !== null) lines.push('', `最终测试准确率: ${formatPercent(finalTestAccuracy)}`);
  return lines.join('\n');
}
