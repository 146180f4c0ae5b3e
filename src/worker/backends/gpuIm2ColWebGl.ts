/**
 * The im2col step of the GPU filter gradient (./gpuConv2DBackpropFilter) as a WebGL program.
 *
 * Same matrix as the WebGPU program (./gpuIm2ColWebGpu): cols[s, m, k] = x[b, oy·sH + kh − top,
 * ox·sW + kw − left, ci], 0 outside x, rows (s, m) = output positions (b, oy, ox) in order, k =
 * (kh, kw, ci). It reads x unpacked and writes the packed layout (2×2 blocks of the last two
 * dimensions per texel) that tfjs-webgl's matMul program reads, so no pack pass runs in between.
 *
 * The WebGL backend is reached structurally (the app depends on it only through @tensorflow/tfjs):
 * `runWebGLProgram` and the program fields below are what tfjs-backend-webgl 4.22 reads.
 */
import type { KernelBackend, TensorInfo, backend_util } from '@tensorflow/tfjs';
import type { Im2ColPass } from './gpuConv2DBackpropFilter';

interface WebGlProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  packedInputs?: boolean;
  packedOutput?: boolean;
  customUniforms?: { name: string; type: 'int' }[];
}

export interface WebGlBackendAccess extends KernelBackend {
  runWebGLProgram(program: WebGlProgram, inputs: TensorInfo[], outputDtype: 'float32', customUniformValues?: number[][]): TensorInfo;
}

class FilterGradientIm2ColProgram implements WebGlProgram {
  readonly variableNames = ['x'];
  readonly packedInputs = false;
  readonly packedOutput = true;
  // The pass's first image is a uniform, so the passes of one batch share a shader; the shapes are
  // constants of it (tfjs compiles one shader per shape anyway).
  readonly customUniforms = [{ name: 'firstImage', type: 'int' as const }];
  readonly outputShape: number[];
  readonly userCode: string;

  constructor(convInfo: backend_util.Conv2DInfo, outputShape: number[]) {
    const { inChannels, filterWidth, outWidth, outHeight, inHeight, inWidth, strideHeight, strideWidth, padInfo } = convInfo;
    const [, rows, cols] = outputShape;
    this.outputShape = outputShape;
    this.userCode = `
      float patchValue(int split, int row, int k) {
        if (row >= ${rows} || k >= ${cols}) return 0.0;
        int position = split * ${rows} + row;
        int ox = position - (position / ${outWidth}) * ${outWidth};
        int oy = position / ${outWidth};
        int b = oy / ${outHeight} + firstImage;
        oy -= (oy / ${outHeight}) * ${outHeight};
        int ci = k - (k / ${inChannels}) * ${inChannels};
        int kw = k / ${inChannels};
        int kh = kw / ${filterWidth};
        kw -= kh * ${filterWidth};
        int iy = oy * ${strideHeight} + kh - ${padInfo.top};
        int ix = ox * ${strideWidth} + kw - ${padInfo.left};
        if (iy < 0 || iy >= ${inHeight} || ix < 0 || ix >= ${inWidth}) return 0.0;
        return getX(b, iy, ix, ci);
      }

      void main() {
        ivec3 rc = getOutputCoords();
        setOutput(vec4(
          patchValue(rc.x, rc.y, rc.z), patchValue(rc.x, rc.y, rc.z + 1),
          patchValue(rc.x, rc.y + 1, rc.z), patchValue(rc.x, rc.y + 1, rc.z + 1)));
      }
    `;
  }
}

/** Runs the program for one pass; the result ([splits, rows per split, fH·fW·inC], packed) belongs to the caller. */
export function im2ColWebGl(backend: WebGlBackendAccess, x: TensorInfo, convInfo: backend_util.Conv2DInfo, pass: Im2ColPass): TensorInfo {
  return backend.runWebGLProgram(new FilterGradientIm2ColProgram(convInfo, pass.outputShape), [x], 'float32', [[pass.firstImage]]);
}
