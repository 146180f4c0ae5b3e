/** Paints a 28×28 grayscale image onto a canvas of that size; `intensity(i)` is pixel i's 0–255 value. */
export function paintGray28(canvas: HTMLCanvasElement | null, intensity: (i: number) => number): void {
  const context = canvas?.getContext('2d');
  if (!context) return;
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = intensity(i);
    image.data.set([v, v, v, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}
