/**
 * A square pad to draw a digit on with mouse, touch or pen. Strokes are kept as point lists in pad
 * units (0–1), so undo can redraw them and the brush scales with the pad. The ink is white on a
 * transparent canvas: its alpha channel is the ink intensity the preprocessing reads.
 */
import { useCallback, useEffect, useRef, type PointerEvent as ReactPointerEvent } from 'react';
import type { GrayImage } from '../../shared/preprocessDigit';
import { useI18n } from '../i18n/useI18n';

type Point = { x: number; y: number };

/** Brush diameter as a fraction of the pad: MNIST strokes are about a tenth of the digit's height. */
const BRUSH = 0.075;

interface DrawingPadProps {
  /** The current drawing as ink intensities, or null once cleared. Called at most once per frame. */
  onChange: (image: GrayImage | null) => void;
  /**
   * When this changes the pad is wiped without reporting: another input (a test image) has replaced
   * the drawing, and an empty report would clear that input too.
   */
  wipeKey?: number;
}

export function DrawingPad({ onChange, wipeKey }: DrawingPadProps) {
  const { t } = useI18n();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const strokes = useRef<Point[][]>([]);
  const drawing = useRef(false);
  const frame = useRef(0);

  const report = useCallback(() => {
    if (frame.current) return; // one report per animation frame, with the latest ink
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const canvas = canvasRef.current;
      const context = canvas?.getContext('2d', { willReadFrequently: true });
      if (!canvas || !context) return;
      if (strokes.current.length === 0) return onChange(null);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      const values = new Float32Array(canvas.width * canvas.height);
      for (let i = 0; i < values.length; i++) values[i] = data[i * 4 + 3] / 255;
      onChange({ width: canvas.width, height: canvas.height, values });
    });
  }, [onChange]);

  const redraw = useCallback(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d', { willReadFrequently: true });
    if (!canvas || !context) return;
    context.clearRect(0, 0, canvas.width, canvas.height);
    for (const stroke of strokes.current) drawStroke(context, stroke, canvas.width);
    report();
  }, [report]);

  // The backing store follows the displayed size and the screen's pixel ratio, so ink stays sharp.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const resize = () => {
      const side = Math.round(canvas.clientWidth * window.devicePixelRatio);
      if (side > 0 && canvas.width !== side) {
        canvas.width = side;
        canvas.height = side;
        redraw();
      }
    };
    const observer = new ResizeObserver(resize);
    observer.observe(canvas);
    resize();
    return () => observer.disconnect();
  }, [redraw]);

  useEffect(() => {
    if (wipeKey === undefined) return;
    strokes.current = [];
    const canvas = canvasRef.current;
    canvas?.getContext('2d', { willReadFrequently: true })?.clearRect(0, 0, canvas.width, canvas.height);
  }, [wipeKey]);

  const clear = useCallback(() => {
    strokes.current = [];
    redraw();
  }, [redraw]);

  const undo = useCallback(() => {
    strokes.current = strokes.current.slice(0, -1);
    redraw();
  }, [redraw]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'z') {
        const target = event.target as HTMLElement | null;
        if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return; // their own undo
        event.preventDefault();
        undo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo]);

  // The cleanup must also forget the handle: React's StrictMode (and any remount) runs it and then the
  // effects again on the same refs, and a handle left set would make `report` wait for a frame that was
  // cancelled — the pad would never report again.
  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    },
    [],
  );

  const toPoint = (event: PointerEvent, canvas: HTMLCanvasElement): Point => {
    const rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) / rect.width, y: (event.clientY - rect.top) / rect.height };
  };

  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    const canvas = event.currentTarget;
    canvas.setPointerCapture(event.pointerId);
    drawing.current = true;
    strokes.current = [...strokes.current, [toPoint(event.nativeEvent, canvas)]];
    redraw();
  };

  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const canvas = event.currentTarget;
    const stroke = strokes.current[strokes.current.length - 1];
    // Coalesced events carry the points between two frames: fast strokes stay smooth.
    const events = event.nativeEvent.getCoalescedEvents?.() ?? [event.nativeEvent];
    for (const e of events.length ? events : [event.nativeEvent]) stroke.push(toPoint(e, canvas));
    redraw();
  };

  const onPointerUp = () => {
    drawing.current = false;
  };

  return (
    <div className="drawing-pad">
      <canvas
        ref={canvasRef}
        aria-label={t.drawing.pad}
        role="img"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      />
      <div className="pad-buttons">
        <button type="button" onClick={clear}>
          {t.drawing.clear}
        </button>
        <button type="button" onClick={undo}>
          {t.drawing.undo}
        </button>
      </div>
    </div>
  );
}

/** A stroke as a smooth curve through the midpoints of its samples, with a round brush. */
function drawStroke(context: CanvasRenderingContext2D, stroke: Point[], side: number): void {
  context.strokeStyle = '#fff';
  context.fillStyle = '#fff';
  context.lineWidth = BRUSH * side;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  const p = stroke.map(({ x, y }) => ({ x: x * side, y: y * side }));
  if (p.length === 1) {
    context.beginPath();
    context.arc(p[0].x, p[0].y, context.lineWidth / 2, 0, 2 * Math.PI);
    context.fill();
    return;
  }
  context.beginPath();
  context.moveTo(p[0].x, p[0].y);
  for (let i = 1; i < p.length - 1; i++) {
    const mid = { x: (p[i].x + p[i + 1].x) / 2, y: (p[i].y + p[i + 1].y) / 2 };
    context.quadraticCurveTo(p[i].x, p[i].y, mid.x, mid.y);
  }
  context.lineTo(p[p.length - 1].x, p[p.length - 1].y);
  context.stroke();
}
