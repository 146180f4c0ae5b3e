/**
 * The consequences of a network, layer by layer (src/shared/arch/analysis.ts): output shape, parameters,
 * multiply-adds per image and receptive field, then the totals and the map sizes the seed's notes quote
 * (28→14→7→3). A draft that breaks a map ends with a row naming the layer and the reason.
 */
import type { ArchAnalysis, LayerAnalysis } from '../../shared/arch/analysis';
import { spatialSummary } from '../../shared/arch/analysis';
import { convName, poolName, type ConvBlockSpec } from '../../shared/arch/archSpec';
import type { ArchProblem } from '../../shared/arch/problems';
import { useI18n } from '../i18n/useI18n';
import type { ArchMessages } from './archMessages';
import { archProblemMessage } from './problemText';

interface LayersTableProps {
  analysis: ArchAnalysis;
  /** The conv blocks the analysis was made from (kernel, stride and pooling describe their rows). */
  convBlocks: readonly Pick<ConvBlockSpec, 'kernel' | 'stride' | 'pooling'>[];
  /** The refused draft's problems when `analysis` is the draft's; [] otherwise. */
  problems: readonly ArchProblem[];
  /** Which network the table shows, while the draft is refused. */
  note: string | null;
  m: ArchMessages;
}

export function LayersTable({ analysis, convBlocks, problems, note, m }: LayersTableProps) {
  const { formatInteger } = useI18n();
  const a = m.analysis;
  const describe = (layer: LayerAnalysis): string => {
    const block = layer.at.kind === 'conv' ? convBlocks[layer.at.block] : undefined;
    switch (layer.kind) {
      case 'conv':
        return block ? a.conv(block.kernel, block.stride) : '';
      case 'batchNorm':
        return a.batchNorm;
      case 'pool':
        return block && block.pooling !== 'none' ? a.pool(block.pooling) : '';
      case 'flatten':
        return a.flatten;
      case 'globalAvgPool':
        return a.globalAvgPool;
      case 'dense':
        return layer.at.kind === 'output' ? a.outputLayer : a.dense;
    }
  };
  const mapBreaks = problems.flatMap((problem) =>
    problem.kind === 'pooledBelowOnePixel' || problem.kind === 'kernelLargerThanInput'
      ? [{ problem, layer: problem.at.kind === 'conv' ? (problem.kind === 'pooledBelowOnePixel' ? poolName : convName)(problem.at.block) : '' }]
      : [],
  );
  const overLimit = problems.filter((problem) => problem.kind === 'tooManyParameters');
  return (
    <div className="arch-analysis">
      <div className="arch-table-scroll">
        <table className="arch-layers">
          <caption>{a.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{a.layer}</th>
              <th scope="col">{a.output}</th>
              <th scope="col">{a.parameters}</th>
              <th scope="col">{a.macs}</th>
              <th scope="col">{a.receptiveField}</th>
            </tr>
          </thead>
          <tbody>
            {analysis.layers.map((layer) => (
              <tr key={layer.name}>
                <th scope="row">
                  {layer.name} <span className="arch-layer-kind">{describe(layer)}</span>
                </th>
                <td>{layer.outputShape.join('×')}</td>
                <td>{formatInteger(layer.parameters)}</td>
                <td>{formatInteger(layer.macs)}</td>
                {layer.receptiveField ? <td>{a.field(layer.receptiveField.size)}</td> : <td className="arch-field-whole">{a.wholeImage}</td>}
              </tr>
            ))}
            {mapBreaks.map(({ problem, layer }) => (
              <tr key={`break-${layer}`} className="arch-problem-row">
                <th scope="row">
                  {layer} <span className="arch-layer-kind">{a.problemMark}</span>
                </th>
                <td colSpan={4}>{archProblemMessage(problem, m)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr className={overLimit.length > 0 ? 'arch-over-limit' : undefined}>
              <th scope="row">{a.total}</th>
              <td />
              <td>{formatInteger(analysis.totals.parameters)}</td>
              <td>{formatInteger(analysis.totals.macs)}</td>
              <td />
            </tr>
            {overLimit.map((problem) => (
              <tr key="over-limit" className="arch-problem-row">
                <td colSpan={5}>{archProblemMessage(problem, m)}</td>
              </tr>
            ))}
          </tfoot>
        </table>
      </div>
      <p className="arch-notes">
        {[a.spatial(spatialSummary(analysis)), ...(analysis.totals.buffers > 0 ? [a.buffers(analysis.totals.buffers)] : []), a.macsNote, a.fieldNote].join(a.sentenceGap)}
      </p>
      {note && <p className="arch-hint">{note}</p>}
    </div>
  );
}
