/**
 * Where the marker labels go: each label runs down from the top of the plot area beside its line,
 * rotated a quarter turn; a label whose line is too close to an earlier one starts below that one's
 * end instead of overprinting it.
 */

export interface MarkerLabelBox {
  /** Pixel x of the marker line. */
  px: number;
  /** Length of the rotated label along the line, pixels. */
  length: number;
}

/**
 * The y at which each label starts (same order as `boxes`, which must be sorted by `px`): `top`, or
 * below every earlier label within `minGap` pixels horizontally, with `spacing` between them.
 */
export function layoutMarkerLabels(boxes: readonly MarkerLabelBox[], top: number, minGap = 12, spacing = 6): number[] {
  const placed: { px: number; end: number }[] = [];
  return boxes.map((box) => {
    let y = top;
    for (const p of placed) if (Math.abs(box.px - p.px) < minGap) y = Math.max(y, p.end + spacing);
    placed.push({ px: box.px, end: y + box.length });
    return y;
  });
}
