/**
 * 工作线程与共享解析器写出的文案（src/shared/texts.ts 的 `Text`）的中文版本。每种文案一个分支，
 * `switch` 覆盖所有键：新增一种文案而未在此翻译，编译即报错。
 * 浏览器异常、显卡名称等 `detail` 本身就是原文，原样显示。
 */
import {
  BACKEND_LABELS,
  OPTIMIZER_LABELS,
  hex32,
  hex8,
  idxKind,
  type BackendFailure,
  type CheckpointProblem,
  type GpuStatus,
  type MeasuredBackend,
  type ProbeProblem,
  type Text,
} from '../../shared/texts';
import { ARCH_SPEC_VERSION } from '../../shared/arch/archSpec';
import type { CompactArchError } from '../../shared/arch/compactForm';
import { isModelArchText, type ModelArchText } from '../../shared/modelFiles/modelArchTexts';
import { PICKLE_TO_SAFETENSORS_PYTHON, type PytorchText } from '../../shared/pytorch/pytorchTexts';
import { ARCH_MESSAGES } from '../arch/archMessages';
import { archProblemMessage } from '../arch/problemText';

const failure = (f: BackendFailure) => `${BACKEND_LABELS[f.backend]} 无法启动（${f.detail ?? '未能初始化'}）`;

function probeProblem(problem: ProbeProblem): string {
  switch (problem.kind) {
    case 'noApi':
      return '没有 navigator.gpu';
    case 'noAdapter':
      return '没有 WebGPU 适配器';
    case 'requestFailed':
      return `requestAdapter 失败：${problem.detail}`;
    case 'noContext':
      return '无法创建 WebGL2 上下文';
    case 'contextFailed':
      return `WebGL2 失败：${problem.detail}`;
  }
}

function gpu(label: string, status: GpuStatus): string {
  const description = status.problem ? probeProblem(status.problem) : status.description;
  return status.available ? `${label} 只有软件实现（${description}）` : `${label} 不可用（${description}）`;
}

function measurement(r: MeasuredBackend, limitSeconds: number): string {
  switch (r.status) {
    case 'measured':
      return `${r.name}${r.workers ? `（${r.workers} 个工作线程）` : ''} 每步 ${Math.round(r.msPerStep)} ms`;
    case 'slow':
      return `${r.name} 每步超过 ${limitSeconds} 秒（预热 ${(r.warmupMs / 1000).toFixed(1)} 秒）`;
    case 'failed':
      return `${r.name} 失败（${r.error}）`;
  }
}

function checkpointProblem(problem: CheckpointProblem): string {
  switch (problem.kind) {
    case 'notCheckpoint':
      return '它不是检查点';
    case 'version':
      return `它的版本是 ${problem.version}，本应用读取的是 ${problem.expected}`;
    case 'noRun':
      return '缺少训练编号或配置';
    case 'position':
      return '训练进度信息已损坏';
    case 'noWeights':
      return '缺少权重或优化器状态';
    case 'weightSize':
      return `权重 ${problem.name} 缺失或大小不对`;
    case 'weightNonFinite':
      return `权重 ${problem.name} 含有非有限值`;
    case 'optimizerSize':
      return `优化器状态 ${problem.name}.${problem.slot} 缺失或大小不对`;
    case 'order':
      return '数据顺序已损坏';
    case 'arch':
      return `其中的网络无法构建：${problem.problems.map((p) => archProblemMessage(p, ARCH_MESSAGES.zh)).join('')}`;
    case 'otherArch':
      return `其中是网络 ${problem.checkpoint}，而不是 ${problem.wanted}（分支沿用父运行的网络；要换网络请按“重置”）`;
  }
}

const kindOf = (magic: number) => {
  const kind = idxKind(magic);
  return kind === 'images' ? '图像' : kind === 'labels' ? '标签' : `${magic & 0xff} 维`;
};

export function zhText(text: Text): string {
  switch (text.key) {
    case 'loading.start':
      return '正在启动计算后端并获取 MNIST…';
    case 'loading.download':
      return `正在下载 MNIST：${text.loadedMb.toFixed(1)} / ${text.totalMb.toFixed(1)} MB`;
    case 'loading.measuring':
      return `正在测量哪个后端在这里训练最快（每个浏览器和 GPU 只测一次）：${BACKEND_LABELS[text.backend]}，第 ${text.position}/${text.count} 个…`;
    case 'backend.cannotStart':
      return `${failure(text.failure)}；改试 ${BACKEND_LABELS[text.next]}。`;
    case 'backend.notMeasured':
      return `${BACKEND_LABELS[text.backend]} 无法测量（${text.detail}）；自动模式将在其余后端中选择。`;
    case 'backend.noneStarted':
      return `没有任何 TensorFlow.js 后端能够启动：${text.failures.map(failure).join('；')}`;
    case 'adapter.wasm':
      return `WebAssembly${text.simd ? ' SIMD' : ''}，每个工作线程 ${text.threads} 个线程`;
    case 'ranking.softwareGpu':
      return `${BACKEND_LABELS[text.backend]} 运行在软件适配器上（${text.adapter}），比 WASM 慢`;
    case 'ranking.hardwareGpu':
      return `${BACKEND_LABELS[text.backend]} 有硬件适配器（${text.adapter}）`;
    case 'ranking.wasmAfterGpu':
      return 'WASM 排在硬件 GPU 后端之后';
    case 'ranking.wasmNoGpu':
      return `${gpu('WebGPU', text.webgpu)}，${gpu('WebGL', text.webgl)}；WASM 是最快的 CPU 路径`;
    case 'ranking.cpuLastResort':
      return '纯 JavaScript 是最后的选择';
    case 'backend.measured': {
      const parts = text.results.map((r) => measurement(r, text.limitSeconds));
      const tie = text.tiePercent !== null ? `；相差 ${text.tiePercent}% 以内视为持平，持平时按默认顺序` : '';
      const when = text.cachedOn !== null ? `${text.cachedOn} 测得，已缓存` : '刚刚测得';
      return `在本机上测得：${parts.join('，')}${tie}（${when}）`;
    }
    case 'backend.auto': {
      const chosenBy = `自动选择：${zhText(text.why)}。`;
      return text.failures.length ? `${chosenBy}（${text.failures.map(failure).join('；')}）` : chosenBy;
    }
    case 'backend.chosen':
      return '在“计算后端”菜单中选定。';
    case 'backend.chosenFailed':
      return `备用后端：选定的 ${BACKEND_LABELS[text.chosen]} 无法启动。`;

    case 'data.length':
      return `${text.file}：文件${text.truncated ? '不完整' : '过长'}：应为 ${text.expected} 字节，实际收到 ${text.received} 字节`;
    case 'data.dataType':
      return `${text.file}：IDX 数据类型 ${hex8(text.dataType)} 不对，应为 0x08（无符号字节）`;
    case 'data.magic':
      return `${text.file}：IDX 魔数 ${hex32(text.magic)} 不对，应为 ${hex32(text.expected)}（${kindOf(text.expected)}）`;
    case 'data.dimension':
      return `${text.file}：第 ${text.index} 维是 ${text.dim}，应为 ${text.expected}`;
    case 'data.label':
      return `${text.file}：索引 ${text.index} 处的标签 ${text.label} 不是 0 到 9 的数字`;
    case 'data.downloadFailed':
      return `${text.file}：下载失败：${text.detail}`;
    case 'data.http':
      return `${text.file}：请求 ${text.url} 得到 HTTP ${text.status}${text.statusText ? ` ${text.statusText}` : ''}`;
    case 'data.html':
      return `${text.file}：${text.url} 返回的是 HTML 页面而不是文件（服务器上是否缺少该文件？）`;
    case 'data.noBody':
      return `${text.file}：响应没有内容`;
    case 'data.checksum':
      return `${text.file}：校验和不匹配：SHA-256 应为 ${text.expected}，实际为 ${text.got}`;
    case 'data.notGzip': {
      const hint = text.contentEncoding
        ? `（服务器以 Content-Encoding: ${text.contentEncoding} 发送，文件到达时已被解压；请把 .gz 文件作为普通字节提供）`
        : '';
      return `${text.file}：不是有效的 gzip 数据流：${text.detail}${hint}`;
    }

    case 'model.invalidJson':
      return `model.json 不是有效的 JSON：${text.detail}。`;
    case 'model.notObject':
      return 'model.json 不是 TensorFlow.js 模型：应为一个 JSON 对象。';
    case 'model.wrongFormat':
      return (
        `model.json 不是 TensorFlow.js 层模型：它的 "format" 是 ${text.format}，应为 "layers-model"。` +
        (text.graphModel ? '图模型（例如由 SavedModel 转换而来）无法导入。' : '')
      );
    case 'model.noTopology':
      return 'model.json 不是 TensorFlow.js 层模型：缺少 "modelTopology"（各层的描述）。';
    case 'model.noManifest':
      return 'model.json 不是 TensorFlow.js 层模型：缺少 "weightsManifest"（权重文件中的权重列表）。';
    case 'model.noLayers':
      return 'model.json 不是 TensorFlow.js 层模型：它的 "modelTopology" 中没有层列表。';
    case 'model.groupNoWeights':
      return `model.json 的 "weightsManifest" 格式有误：第 ${text.group} 组没有 "weights" 列表。`;
    case 'model.weightNotObject':
      return `model.json 的 "weightsManifest" 格式有误：第 ${text.group} 组的第 ${text.weight} 个权重不是对象。`;
    case 'model.weightNoName':
      return `model.json 的 "weightsManifest" 格式有误：第 ${text.group} 组的第 ${text.weight} 个权重没有名称。`;
    case 'model.weightNoShape':
      return `model.json 的 "weightsManifest" 格式有误：权重 "${text.name}" 没有有效的形状（尺寸列表）。`;
    case 'model.duplicateWeight':
      return `model.json 把权重 "${text.name}" 列了两次。`;
    case 'model.duplicateParam':
      return `model.json 把权重 ${text.param} 列了两次（分别为 "${text.previous}" 和 "${text.name}"）。`;
    case 'model.notFloat32':
      return `权重 "${text.name}" 的 dtype 是 ${text.dtype}；只能导入 float32 权重。`;
    case 'model.quantized':
      return `权重 "${text.name}" 经过量化（${text.quantization ?? '未知类型'}）；只能导入未量化的 float32 权重。`;
    case 'model.wrongShape':
      return `权重 "${text.name}" 的形状不对：应为 ${text.expected}，实际为 ${text.got}。`;
    case 'model.unsupportedDtype':
      return `model.json 的 "weightsManifest" 格式有误：权重 "${text.name}" 的 dtype ${text.dtype} 不受支持。`;
    case 'model.missingWeights':
      return `model.json 缺少权重 ${text.names.map((n) => `"${n}"`).join('、')}。`;
    case 'model.wrongBinSize':
      return `权重文件大小不对：应为 ${text.expected} 字节，实际为 ${text.got} 字节。请选择与这个 model.json 一起保存的 .bin 文件。`;
    case 'model.nonFinite':
      return `权重 "${text.name}" 在索引 ${text.index} 处含有非有限值（${text.value}）；该模型无法使用。`;
    case 'model.exportFailed':
      return `无法导出模型：${text.detail}`;
    case 'model.importWhileRunning':
      return '只有在没有训练进行时才能导入模型：请先点击“停止”。';
    case 'model.chooseOneJson':
      return `请同时选择一个 model.json 和它的权重文件（当前选了 ${text.count} 个 JSON 文件）。`;
    case 'model.chooseBin':
      return '请把权重文件（.bin）与 model.json 一起选择。';

    case 'checkpoint.unusable':
      return `保存的检查点无法使用：${checkpointProblem(text.problem)}。${text.deleted ? '它已被删除。' : ''}`;
    case 'checkpoint.nothingToResume':
      return '没有可以继续的已保存检查点。';
    case 'checkpoint.saveSkipped':
      return text.why === 'noRoom'
        ? '有一个检查点没有保存：即使删掉其他所有运行的检查点，浏览器的存储空间也放不下它。训练继续；此时重新加载会丢失上一个检查点之后的步数。'
        : '有一个检查点没有保存：浏览器因空间不足拒绝了写入。训练继续；此时重新加载会丢失上一个检查点之后的步数。';
    case 'branch.gone':
      return `第 ${text.epoch} 轮已无法再分支：它的检查点已不存在。没有做任何改动。`;
    case 'branch.refused':
      return `从第 ${text.epoch} 轮分支被拒绝：它的检查点无法使用：${checkpointProblem(text.problem)}。没有做任何改动。`;
    case 'branch.busy':
      return '分支会开始一个新的运行：请先停止当前运行。';
    case 'branch.freshOptimizer':
      return (
        `从第 ${text.epoch} 轮的分支使用 ${OPTIMIZER_LABELS[text.to]}，而它的父运行用的是 ${OPTIMIZER_LABELS[text.from]}：` +
        `${OPTIMIZER_LABELS[text.to]} 从全新状态开始（没有动量，步数为 0）；权重、数据顺序和 StepLR 从检查点继续。`
      );
    case 'storage.noIndexedDb':
      return '此浏览器在这里不提供 IndexedDB';
    case 'storage.failed':
      return `存储失败：${text.detail}`;
    case 'training.failed':
      return `训练失败：${text.detail}`;
    case 'pool.failed':
      return `无法启动 ${text.workers} 个 CPU 工作线程（${text.detail}）；训练只用一个。`;
    case 'prediction.failed':
      return `预测失败：${text.detail}`;
    case 'error.other':
      return text.detail;

    case 'url.unknownKey':
      return `已忽略未知设置 "${text.setting}"。`;
    case 'url.badChoice':
      return `${text.setting}=${text.raw} 不是 ${text.options.join('、')} 之一；改用 ${text.using}。`;
    case 'url.notNumber':
      return `${text.setting}=${text.raw} 不是数字；改用 ${text.using}。`;
    case 'url.outOfRange':
      return `${text.setting}=${text.raw} 超出 ${text.min}–${text.max} 的范围；改用 ${text.using}。`;
    case 'url.notAllowed':
      return `${text.setting}=${text.raw} 不是允许的取值；改用 ${text.using}。`;
    case 'url.badArch':
      return `arch=${text.raw} 不是本应用能构建的网络：${compactArchError(text.error)}；改用 ${text.using}。`;
    default:
      return isModelArchText(text) ? modelArchText(text) : pytorchText(text);
  }
}

function compactArchError(error: CompactArchError): string {
  switch (error.kind) {
    case 'empty':
      return '它是空的';
    case 'tooLong':
      return `它有 ${error.length} 个字符，超过了任何网络所需的 ${error.limit} 个`;
    case 'badToken':
      return `第 ${error.index + 1} 段 "${error.token}" 既不是卷积块（c32p）、头部（flat、gap），也不是全连接层（f256）`;
    case 'badValue':
      return `第 ${error.index + 1} 段 "${error.token}" 的${error.option === 'kernel' ? '卷积核' : '步长'}为 ${error.value}；只能是 ${error.option === 'kernel' ? '3 或 5' : '1 或 2'}`;
    case 'outOfOrder':
      return `第 ${error.index + 1} 段 "${error.token}" 的位置不对：先卷积块，再头部，最后全连接层`;
    case 'unknownVersion':
      return `版本 ${error.version} 未知；本应用读取版本 ${ARCH_SPEC_VERSION}`;
    case 'invalidSpec':
      return error.problems.map((problem) => archProblemMessage(problem, ARCH_MESSAGES.zh)).join('');
  }
}

const ZH_LAYER_ORDER =
  '本应用的网络依次是若干卷积块（需要时先有 ZeroPadding2D，然后是 Conv2D、可选的 BatchNormalization、激活函数、可选的 MaxPooling2D 或 AveragePooling2D），然后是 Flatten 或 GlobalAveragePooling2D，再是 Dense 层；Dropout 可以位于 Flatten 或池化之后以及隐藏 Dense 层之后，最后一层是 10 个单元的 Dense 层';
const zhAlternatives = (v: readonly string[]) => (v.length <= 1 ? v.join('') : `${v.slice(0, -1).join('、')} 或 ${v[v.length - 1]}`);

function modelArchText(text: ModelArchText): string {
  switch (text.key) {
    case 'modelArch.notSequential':
      return `该模型是 ${text.className}，不是按顺序堆叠各层的 Sequential 模型；本应用只读取 Sequential 模型。`;
    case 'modelArch.layerNoClass':
      return `"modelTopology" 中的第 ${text.index} 层没有 class_name。`;
    case 'modelArch.unsupportedLayer':
      return `层 "${text.layer}"（${text.className}）的类型是本应用的网络所没有的；这些网络由 Conv2D、ZeroPadding2D、BatchNormalization、Activation、MaxPooling2D、AveragePooling2D、Flatten、GlobalAveragePooling2D、Dropout 和 Dense 层构成。`;
    case 'modelArch.misplacedLayer':
      return `层 "${text.layer}"（${text.className}）不能${text.previous === null ? '位于最前面' : `位于 "${text.previous}"（${text.previousClassName ?? '?'}）之后`}：${ZH_LAYER_ORDER}。`;
    case 'modelArch.incomplete':
      return `${text.last === null ? '该模型没有任何层' : `各层在 "${text.last}"（${text.lastClassName ?? '?'}）处就结束了`}，没有 10 个单元的输出 Dense 层：${ZH_LAYER_ORDER}。`;
    case 'modelArch.noActivation':
      return `层 "${text.layer}"（${text.className}）没有激活函数；本应用的网络中，每个卷积块和隐藏 Dense 层都使用 "relu"、"gelu" 或 "tanh"（写在该层中，或作为其后的 Activation 层）。`;
    case 'modelArch.unsupportedSetting':
      return `层 "${text.layer}"（${text.className}）的 ${text.field} 为 ${text.value}；本应用的网络在这里是 ${zhAlternatives(text.wanted)}。`;
    case 'modelArch.invalidSpec':
      return `该模型的结构无法在这里使用：${text.problems.map((problem) => archProblemMessage(problem, ARCH_MESSAGES.zh)).join('')}`;
    case 'modelArch.metadataUnreadable':
      return `该模型的 userDefinedMetadata 给出的结构 ${text.value} 不是本应用能读取的结构。`;
    case 'modelArch.metadataDisagrees':
      return `该模型的各层描述的结构是 ${text.topology}，但它的 userDefinedMetadata 写的是 ${text.metadata}：文件在保存之后被改动过。`;
    case 'modelArch.unknownWeight':
      return `model.json 含有一个任何层都没有的权重："${text.name}"。应当恰好包含这些权重：${text.expected.join('、')}。`;
  }
}

const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join('、');

function pytorchText(text: PytorchText): string {
  switch (text.key) {
    case 'pytorch.tooLarge':
      return `文件大小为 ${(text.bytes / 1e6).toFixed(1)} MB；PyTorch 权重最多导入 ${(text.limit / 1e6).toFixed(1)} MB。`;
    case 'pytorch.pickle':
      return (
        `这是 PyTorch 的 pickle 文件（.pt 或 .pth，${text.container === 'zip' ? 'torch.save 的 zip 格式' : '旧版 torch.save 的 pickle'}）：加载 pickle 可能执行其中隐藏的任意代码，所以本应用不打开它。请先在 Python 中把它转换为 safetensors，再导入 .safetensors 文件：\n` +
        PICKLE_TO_SAFETENSORS_PYTHON
      );
    case 'pytorch.tooShort':
      return `这不是 safetensors 文件：它只有 ${text.bytes} 字节，不足存放头部长度的 8 字节。`;
    case 'pytorch.headerPastEnd':
      return `这不是 safetensors 文件：前 8 字节给出的头部长度为 ${text.headerBytes} 字节，但文件只有 ${text.fileBytes} 字节。`;
    case 'pytorch.headerNotJson':
      return `这不是 safetensors 文件：它的头部不是 JSON（${text.detail}）。`;
    case 'pytorch.headerNotObject':
      return '这不是 safetensors 文件：它的头部不是描述张量的 JSON 对象。';
    case 'pytorch.badMetadata':
      return text.entry === null
        ? 'safetensors 头部的 "__metadata__" 不是由字符串组成的对象。'
        : `safetensors 头部 "__metadata__" 中的条目 "${text.entry}" 不是字符串。`;
    case 'pytorch.badEntry':
      return text.field === 'entry'
        ? `头部中张量 "${text.tensor}" 的条目不是包含 dtype、shape 和 data_offsets 的对象。`
        : `头部中张量 "${text.tensor}" 的 "${text.field}" 缺失或格式错误。`;
    case 'pytorch.unsupportedDtype':
      return `张量 "${text.tensor}" 的 dtype 是 ${text.dtype}；本应用读取 F32、F16、BF16 和 F64 权重（以及 I64 计数器）。`;
    case 'pytorch.sizeMismatch':
      return `头部关于张量 "${text.tensor}" 的大小自相矛盾：${text.dtype} ${text.shape} 需要 ${text.expectedBytes} 字节，但它的 data_offsets 跨越 ${text.declaredBytes} 字节。`;
    case 'pytorch.offsetOutOfRange':
      return `张量 "${text.tensor}" 结束于数据的第 ${text.end} 字节，超出了数据末尾（共 ${text.dataBytes} 字节）。`;
    case 'pytorch.overlap':
      return `张量 "${text.other}" 和 "${text.tensor}" 在文件数据中相互重叠。`;
    case 'pytorch.gap':
      return text.tensor === null
        ? `文件在最后一个张量之后还有 ${text.bytes} 字节；safetensors 的数据应以最后一个张量结束。`
        : `文件数据在张量 "${text.tensor}" 之前有 ${text.bytes} 个未使用的字节；safetensors 的数据应当连续。`;
    case 'pytorch.nonFinite':
      return `张量 "${text.tensor}" 在索引 ${text.index} 处含有非有限值（${text.value}）；这些权重无法使用。`;
    case 'pytorch.missingTensors':
      return `文件缺少 ${text.architecture} 的张量 ${quoted(text.names)}。`;
    case 'pytorch.extraTensors':
      return `文件含有 ${text.architecture} 没有的张量 ${quoted(text.names)}：它是另一个网络的 state_dict。`;
    case 'pytorch.wrongShape':
      return `张量 "${text.tensor}" 的形状是 ${text.got}；${text.architecture} 的应为 ${text.expected}。`;
    case 'pytorch.notFloat':
      return `张量 "${text.tensor}" 存放的是 ${text.dtype} 整数；权重必须是浮点数。`;
  }
}
