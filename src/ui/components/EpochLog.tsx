import type { EpochMetrics } from '../../shared/protocol';
import { formatLoss, formatPercent, formatRate } from '../format';

/** The seed's per-epoch print as a table. */
export function EpochLog({ history }: { history: EpochMetrics[] }) {
  return (
    <table className="epoch-log">
      <caption>Epoch log</caption>
      <thead>
        <tr>
          <th scope="col">Epoch</th>
          <th scope="col">Loss</th>
          <th scope="col">Train Acc</th>
          <th scope="col">Test Acc</th>
          <th scope="col">Learning Rate</th>
        </tr>
      </thead>
      <tbody>
        {history.length === 0 ? (
          <tr>
            <td colSpan={5} className="empty">
              No epochs yet: press Train.
            </td>
          </tr>
        ) : (
          history.map((m) => (
            <tr key={m.epoch}>
              <td>
                {m.epoch}/{m.epochs}
              </td>
              <td>{formatLoss(m.loss)}</td>
              <td>{formatPercent(m.trainAccuracy)}</td>
              <td>{formatPercent(m.testAccuracy)}</td>
              <td>{formatRate(m.learningRate)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
