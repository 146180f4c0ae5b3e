import { analyzeArch } from '../../shared/arch/analysis';
import { archSpecsEqual, SIMPLE_CNN_SPEC, type ArchSpec } from '../../shared/arch/archSpec';
import { formatCompactArch } from '../../shared/arch/compactForm';
import type { BackendInfo, DataFacts } from '../../shared/protocol';
import { renderText, shown, type Shown } from '../i18n/renderText';
import { useI18n } from '../i18n/useI18n';

interface StatusPanelProps {
  backend: BackendInfo | null;
  data: DataFacts | null;
  /** The network the controls describe (the one a run trains, or the next Train builds). */
  arch: ArchSpec;
  loading: { message: Shown; fraction: number } | null;
  tensorCounts: number[];
}

/**
 * Which backend and adapter run the network and why, what data was verified, the network and its size.
 * The adapter, the backend's reason and the loading steps come from the worker, as texts where they are
 * sentences (rendered in the page's language); a GPU's name is shown as it is.
 */
export function StatusPanel({ backend, data, arch, loading, tensorCounts }: StatusPanelProps) {
  const { t, formatInteger } = useI18n();
  return (
    <section className="status" role="status">
      {backend ? (
        <p>
          <strong>{t.status.backend(backend.name, backend.workers)}</strong> — {backend.adapterText ? renderText(t, backend.adapterText) : backend.adapter}
          {backend.software && t.status.software}
          {t.status.reasonSeparator}
          <span className="reason">{renderText(t, shown(backend.reason, backend.reasonText))}</span>
        </p>
      ) : (
        <p>{loading ? renderText(t, loading.message) : t.status.starting}</p>
      )}
      {data && <p>{t.status.dataVerified(data.trainImages, data.testImages, data.bytesOnWire / 1e6)}</p>}
      {data && (
        <p>
          {t.status.paramsPrefix(archSpecsEqual(arch, SIMPLE_CNN_SPEC) ? null : formatCompactArch(arch))}
          <span className="param-count">{formatInteger(analyzeArch(arch).totals.parameters)}</span>
          {t.status.paramsSuffix}
          {tensorCounts.length > 0 && <span className="tensor-counts">{t.status.tensorCounts(tensorCounts)}</span>}
        </p>
      )}
    </section>
  );
}
