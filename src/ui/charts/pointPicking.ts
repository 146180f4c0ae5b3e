/**
 * Which epoch point a click or a tap on a chart means: the nearest point of a run's per-epoch series
 * (the loss per epoch, train and test accuracy) within a finger's reach. Pure, so Charts.tsx only
 * collects the drawn points' pixel positions and shows the menu of the one found.
 */

/** The per-epoch layers' dataset id suffixes (datasets.ts names datasets `<run id>:<layer>`). */
const EPOCH_LAYERS = ['epoch', 'train', 'test'];

/** The run of a per-epoch dataset, or null for another layer (per-batch and smoothed loss). */
export function epochPointRun(datasetId: string): string | null {
  const at = datasetId.lastIndexOf(':');
  return at > 0 && EPOCH_LAYERS.includes(datasetId.slice(at + 1)) ? datasetId.slice(0, at) : null;
}

/** A drawn epoch point: its run and epoch, and where it is on the canvas (CSS pixels). */
export interface EpochPoint {
  runId: string;
  epoch: number;
  x: number;
  y: number;
  /** A branch's first point, drawn at its parent's (datasets.ts joins the branch there). */
  joined: boolean;
}

/** How far from a point a click still picks it, CSS pixels: about a fingertip. */
export const PICK_RADIUS = 16;

/**
 * The point nearest `at` within `radius`, or null. Where points coincide, a run's own point comes
 * before a branch's copy of its parent's (the parent's point is the one trained there).
 */
export function nearestEpochPoint(points: readonly EpochPoint[], at: { x: number; y: number }, radius = PICK_RADIUS): EpochPoint | null {
  let best: EpochPoint | null = null;
  let bestDistance = Infinity;
  for (const point of points) {
    const distance = Math.hypot(point.x - at.x, point.y - at.y);
    if (distance > radius) continue;
    const closer = distance < bestDistance - 0.5;
    const tieButOwn = Math.abs(distance - bestDistance) <= 0.5 && best?.joined === true && !point.joined;
    if (closer || tieButOwn) {
      best = point;
      bestDistance = distance;
    }
  }
  return best;
}
