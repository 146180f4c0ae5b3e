/**
 * Why a PyTorch weights file was refused, as data (the pattern of `ModelFileText` in ../texts.ts): one
 * member per reason, naming the tensor where there is one, so the page can say it in its own language.
 * `englishPytorchText` is the English wording, which the worker also sends as the refusal's `message`.
 */

/** A safetensors dtype as written in the header (`F32`, `BF16`, …), or whatever a file put there. */
type DtypeName = string;

export type PytorchText =
  /** `bytes` and `limit` in bytes. */
  | { key: 'pytorch.tooLarge'; bytes: number; limit: number }
  /** A `torch.save` file: `zip` (the format since PyTorch 1.6) or a bare `pickle` (the older one). */
  | { key: 'pytorch.pickle'; container: 'zip' | 'pickle' }
  | { key: 'pytorch.tooShort'; bytes: number }
  /** The header length the first 8 bytes give, and the file's size. */
  | { key: 'pytorch.headerPastEnd'; headerBytes: number; fileBytes: number }
  /** `detail`: the JSON parser's message, or that the header is not UTF-8. */
  | { key: 'pytorch.headerNotJson'; detail: string }
  | { key: 'pytorch.headerNotObject' }
  /** `entry`: the metadata entry whose value is not a string; null when `__metadata__` is not an object. */
  | { key: 'pytorch.badMetadata'; entry: string | null }
  /** `field`: the part of the tensor's description that is missing or malformed; `entry` when it is not an object. */
  | { key: 'pytorch.badEntry'; tensor: string; field: 'entry' | 'dtype' | 'shape' | 'data_offsets' }
  | { key: 'pytorch.unsupportedDtype'; tensor: string; dtype: DtypeName }
  /** The header's sizes disagree: `shape` as `[a, b]`; the bytes the dtype and shape need, and those the offsets span. */
  | { key: 'pytorch.sizeMismatch'; tensor: string; dtype: DtypeName; shape: string; expectedBytes: number; declaredBytes: number }
  /** The tensor's data ends at `end`, past the `dataBytes` the file has after its header. */
  | { key: 'pytorch.offsetOutOfRange'; tensor: string; end: number; dataBytes: number }
  /** `tensor`'s data starts inside `other`'s. */
  | { key: 'pytorch.overlap'; tensor: string; other: string }
  /** `bytes` that no tensor covers, before `tensor`, or after the last tensor when `tensor` is null. */
  | { key: 'pytorch.gap'; tensor: string | null; bytes: number }
  | { key: 'pytorch.nonFinite'; tensor: string; value: number; index: number }
  /** The state_dict does not match the network (`architecture`: its class name, e.g. SimpleCNN). */
  | { key: 'pytorch.missingTensors'; names: string[]; architecture: string }
  | { key: 'pytorch.extraTensors'; names: string[]; architecture: string }
  /** Shapes as `[a, b, c, d]`, in PyTorch's layout. */
  | { key: 'pytorch.wrongShape'; tensor: string; expected: string; got: string; architecture: string }
  | { key: 'pytorch.notFloat'; tensor: string; dtype: DtypeName };

export type PytorchTextKey = PytorchText['key'];

/**
 * Converting a `.pt`/`.pth` file, in Python, on the user's own machine (where running their own pickle
 * is their call): the state_dict saved as safetensors with the `safetensors` package.
 */
export const PICKLE_TO_SAFETENSORS_PYTHON = [
  'import torch, safetensors.torch',
  'state_dict = torch.load("model.pt", map_location="cpu")',
  'safetensors.torch.save_file(state_dict, "model.safetensors")',
].join('\n');

/**
 * The same with torch alone (Debian's python3-torch has no safetensors package): float32 tensors,
 * contiguous, after an 8-byte header length and a JSON header. BatchNorm's `num_batches_tracked` (an
 * integer) is left out, which the import accepts.
 */
export const PICKLE_TO_SAFETENSORS_TORCH_ONLY_PYTHON = [
  'import json, struct, torch',
  'state_dict = torch.load("model.pt", map_location="cpu")',
  'tensors = {k: v.float().contiguous() for k, v in state_dict.items() if v.is_floating_point()}',
  'header, offset = {}, 0',
  'for k, v in tensors.items():',
  '    header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + 4 * v.numel()]}',
  '    offset += 4 * v.numel()',
  'blob = json.dumps(header).encode()',
  'with open("model.safetensors", "wb") as f:',
  '    f.write(struct.pack("<Q", len(blob)) + blob + b"".join(v.numpy().tobytes() for v in tensors.values()))',
].join('\n');

export function isPytorchText(text: { key: string }): text is PytorchText {
  return text.key.startsWith('pytorch.');
}

const quotedList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');
const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

export function englishPytorchText(text: PytorchText): string {
  switch (text.key) {
    case 'pytorch.tooLarge':
      return `The file is ${megabytes(text.bytes)} MB; PyTorch weights are imported up to ${megabytes(text.limit)} MB.`;
    case 'pytorch.pickle':
      return (
        `This is a PyTorch pickle file (.pt or .pth, ${text.container === 'zip' ? "torch.save's zip archive" : 'an older torch.save pickle'}): ` +
        'loading a pickle can run any code hidden in it, so the app does not open it. ' +
        `Convert it to safetensors in Python, then import the .safetensors file:\n${PICKLE_TO_SAFETENSORS_PYTHON}`
      );
    case 'pytorch.tooShort':
      return `The file is not a safetensors file: it has ${text.bytes} bytes, fewer than the 8 of the header length.`;
    case 'pytorch.headerPastEnd':
      return `The file is not a safetensors file: its first 8 bytes give a header of ${text.headerBytes} bytes, but the file has ${text.fileBytes}.`;
    case 'pytorch.headerNotJson':
      return `The file is not a safetensors file: its header is not JSON (${text.detail}).`;
    case 'pytorch.headerNotObject':
      return 'The file is not a safetensors file: its header is not a JSON object of tensors.';
    case 'pytorch.badMetadata':
      return text.entry === null
        ? 'The safetensors header\'s "__metadata__" is not an object of strings.'
        : `The safetensors header's "__metadata__" entry "${text.entry}" is not a string.`;
    case 'pytorch.badEntry':
      return text.field === 'entry'
        ? `The header's entry for tensor "${text.tensor}" is not an object with dtype, shape and data_offsets.`
        : `The header's entry for tensor "${text.tensor}" has a missing or malformed "${text.field}".`;
    case 'pytorch.unsupportedDtype':
      return `Tensor "${text.tensor}" has dtype ${text.dtype}; this app reads F32, F16, BF16 and F64 weights (and I64 counters).`;
    case 'pytorch.sizeMismatch':
      return (
        `The header lies about tensor "${text.tensor}": ${text.dtype} ${text.shape} needs ${text.expectedBytes} bytes, ` +
        `but its data_offsets span ${text.declaredBytes}.`
      );
    case 'pytorch.offsetOutOfRange':
      return `Tensor "${text.tensor}" ends at byte ${text.end} of the data, past its end (${text.dataBytes} bytes).`;
    case 'pytorch.overlap':
      return `Tensors "${text.other}" and "${text.tensor}" overlap in the file's data.`;
    case 'pytorch.gap':
      return text.tensor === null
        ? `The file has ${text.bytes} bytes after its last tensor; safetensors data ends with the last tensor.`
        : `The file's data has ${text.bytes} unused bytes before tensor "${text.tensor}"; safetensors data is contiguous.`;
    case 'pytorch.nonFinite':
      return `Tensor "${text.tensor}" has a non-finite value (${text.value}) at index ${text.index}; the weights cannot be used.`;
    case 'pytorch.missingTensors':
      return `The file lacks ${text.names.length === 1 ? 'the tensor' : 'the tensors'} ${quotedList(text.names)} of ${text.architecture}.`;
    case 'pytorch.extraTensors':
      return (
        `The file has ${text.names.length === 1 ? 'a tensor' : 'tensors'} ${quotedList(text.names)} that ${text.architecture} does not: ` +
        'it is the state_dict of another network.'
      );
    case 'pytorch.wrongShape':
      return `Tensor "${text.tensor}" has shape ${text.got}; ${text.architecture}'s is ${text.expected}.`;
    case 'pytorch.notFloat':
      return `Tensor "${text.tensor}" holds ${text.dtype} integers; a weight must be floating point.`;
  }
}
