// @vitest-environment jsdom
/**
 * The pad as React runs it in development: under StrictMode every effect mounts, cleans up and mounts
 * again on the same refs. A stroke must still reach `onChange` (it did not while the cleanup left the
 * cancelled frame's handle behind).
 */
import { act, StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GrayImage } from '../../shared/preprocessDigit';
import { I18nProvider } from '../i18n/I18nProvider';
import { DrawingPad } from './DrawingPad';
import { testRoot } from '../testing/testRoot';

/** Animation frames run only when the test says so, like a browser between two paints. */
let frames = new Map<number, FrameRequestCallback>();
let nextFrame = 1;
function runFrames(): void {
  const due = [...frames.values()];
  frames = new Map();
  for (const callback of due) callback(performance.now());
}

/** jsdom has no canvas: a 2D context that records nothing but reports full ink under every stroke. */
function fakeContext(canvas: HTMLCanvasElement) {
  let inked = false;
  const noop = () => undefined;
  return {
    clearRect: () => (inked = false),
    beginPath: noop,
    moveTo: noop,
    lineTo: noop,
    quadraticCurveTo: noop,
    arc: noop,
    fill: () => (inked = true),
    stroke: () => (inked = true),
    getImageData: () => {
      const data = new Uint8ClampedArray(canvas.width * canvas.height * 4);
      if (inked) data[3] = 255;
      return { data };
    },
  };
}

const dom = testRoot();

beforeEach(() => {
  frames = new Map();
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => {
    const id = nextFrame++;
    frames.set(id, callback);
    return id;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number) => frames.delete(id));
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
  const contexts = new WeakMap<HTMLCanvasElement, ReturnType<typeof fakeContext>>();
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    if (!contexts.has(this)) contexts.set(this, fakeContext(this));
    return contexts.get(this) as unknown as CanvasRenderingContext2D;
  } as unknown as typeof HTMLCanvasElement.prototype.getContext);
  // A laid-out pad: its first resize redraws and so schedules a report during the first mount.
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(280);
  HTMLCanvasElement.prototype.setPointerCapture = () => undefined;
  HTMLCanvasElement.prototype.getBoundingClientRect = () => new DOMRect(0, 0, 280, 280);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function pointer(target: Element, type: string, x: number, y: number): void {
  target.dispatchEvent(new MouseEvent(type, { bubbles: true, button: 0, clientX: x, clientY: y }));
}

describe('DrawingPad under StrictMode', () => {
  it('reports a stroke after the mount, unmount and mount that development runs', () => {
    const onChange = vi.fn<(image: GrayImage | null) => void>();
    act(() =>
      dom.root.render(
        <StrictMode>
          <I18nProvider>
            <DrawingPad onChange={onChange} />
          </I18nProvider>
        </StrictMode>,
      ),
    );
    act(runFrames); // the mount's own report: an empty pad
    onChange.mockClear();

    const pad = dom.container.querySelector('canvas');
    if (!pad) throw new Error('no canvas');
    act(() => {
      pointer(pad, 'pointerdown', 100, 60);
      pointer(pad, 'pointermove', 110, 120);
      pointer(pad, 'pointermove', 120, 200);
      pointer(pad, 'pointerup', 120, 200);
    });
    act(runFrames);

    expect(onChange).toHaveBeenCalledTimes(1);
    const image = onChange.mock.calls[0][0];
    expect(image).not.toBeNull();
    expect(image?.width).toBe(280);
    expect(image?.values[0]).toBe(1);
  });
});
