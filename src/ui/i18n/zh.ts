/**
 * 简体中文界面文案。类型为 `Messages`：缺少任何键、多出键或函数参数不一致，编译都会报错。
 * 技术名词保留原文：Adam、AdamW、SGD、StepLR、ReLU、conv1、WebGPU、WASM、MNIST、SHA-256 等。
 */
import { formatDecimal, formatInteger, formatPercent } from '../format';
import type { Messages } from './messages';
import { zhText } from './zhTexts';

const int = (n: number) => formatInteger(n, 'zh');
/** Up to three significant digits: 0.5, 0.25, 0.125. */
const formatDecimalShort = (v: number) => String(Number(v.toPrecision(3)));
const pct = (percent: number, digits: number) => formatPercent(percent, digits, 'zh');

export const zh: Messages = {
  app: {
    documentTitle: 'MNIST 实验室',
    title: 'MNIST 实验室',
    subtitle: (batch: number) =>
      `原 PyTorch 程序中的 SimpleCNN，直接在这个标签页里用完整的 MNIST 训练：Adam + L2 权重衰减，StepLR 学习率调度，批大小 ${batch}。`,
    dataErrorPrefix: '无法使用 MNIST 数据。',
    dataErrorSuffix: '没有用这些数据进行任何训练；请刷新页面重试。',
    errorPrefix: '错误：',
    finalAccuracy: '最终测试准确率：',
    stoppedAccuracy: '已停止。最后一次测试准确率：',
    tryItRegion: '手写数字',
    tryItHeading: '试一试：写一个数字',
    insightRegion: '测试集分析',
    insightHeading: (epoch: number) => `第 ${epoch} 轮后的测试集分析`,
    printoutSummary: '控制台输出（与原程序的打印完全一致）',
  },

  status: {
    starting: '正在启动训练线程…',
    backend: (name: string, workers: number) => (workers > 1 ? `计算后端：${name} · ${workers} 个工作线程` : `计算后端：${name}`),
    software: '（软件模拟）',
    reasonSeparator: '。',
    dataVerified: (trainImages: number, testImages: number, megabytes: number) =>
      `MNIST 已校验（SHA-256、IDX 文件头）：${int(trainImages)} 张训练图像、${int(testImages)} 张测试图像，` +
      `共下载 ${formatDecimal(megabytes, 1, 'zh')} MB。`,
    paramsPrefix: (network: string | null) => (network === null ? 'SimpleCNN：共 ' : `网络 ${network}：共 `),
    paramsSuffix: ' 个参数。',
    tensorCounts: (counts: readonly number[]) => `每轮结束后训练线程中的张量数：${counts.join('、')}。`,
  },

  progress: {
    region: '训练进度',
    bar: '本轮进度',
    notStarted: '尚未开始',
    epoch: (epoch: number, epochs: number) => `第 ${epoch}/${epochs} 轮 · `,
    evaluating: (testImages: number) => `正在用 ${int(testImages)} 张测试图像评估`,
    batch: (batch: number, batches: number) => `批次 ${int(batch)}/${int(batches)}`,
    samplesPerSecond: (samples: number) => `${int(samples)} 样本/秒`,
    msPerStep: (ms: number) => `${int(ms)} 毫秒/步`,
    measuring: '正在测量速度…',
    epochEta: (duration: string) => `本轮剩余 ${duration}`,
    runEta: (duration: string) => `全部剩余 ${duration}`,
    runningLoss: (loss: string) => `本轮平均损失 ${loss}`,
  },

  epochLog: {
    caption: '逐轮日志',
    epoch: '轮次',
    loss: '损失',
    trainAccuracy: '训练准确率',
    testAccuracy: '测试准确率',
    learningRate: '学习率',
    empty: '还没有完成任何一轮：请点击“训练”。',
    runPicker: '日志中显示的训练',
    actions: '从这一轮分支',
    branch: '分支',
    branchFrom: (epoch: number) => `从第 ${epoch} 轮分支`,
    compare: 'Adam 对比 AdamW',
    compareFrom: (epoch: number) => `从第 ${epoch} 轮对比 Adam 与 AdamW`,
    initialWeights: '初始权重（第 0 轮）：',
    noCheckpoint: '无检查点',
    inherited: (run: string) => `由 ${run} 训练，在这个分支之前`,
    branchHint: '分支是从那一轮的检查点开始的新训练，使用控件中当前的设置。',
    stopToBranch: '请先停止训练再分支：分支是一次新的训练。',
  },

  notices: {
    list: '提示',
    dismiss: '关闭提示',
  },

  drawing: {
    pad: '手写板',
    clear: '清除',
    undo: '撤销',
    inputImage: '网络输入，28×28 像素',
    inputCaption: '网络看到的输入：28×28，按质心居中',
    testImageCaption: (index: number, label: number) =>
      `测试图像 ${index}（真实标签 ${label}），这就是网络看到的样子；在手写板上书写即可替换它`,
  },

  prediction: {
    panel: '预测面板',
    prediction: '预测',
    drawHint: '请写一个数字',
    untrained: '网络尚未训练',
    probabilities: '各数字的概率',
    probability: (digit: number, probability: number) => `${digit}：${pct(100 * probability, 1)}`,
    noProbability: (digit: number) => `${digit}：–`,
  },

  featureMaps: {
    region: '特征图',
    heading: '网络内部看到了什么：特征图',
    hint: '在手写板上写一个数字，或在下方点选一张被分错的测试图像，即可查看它的特征图。',
    shape: (channels: number, height: number, width: number) => `${channels} 张 ${height}×${width} 特征图`,
    layer: (kernel: number, stride: number, inputChannels: number, channels: number, activation: string) =>
      `：${kernel}×${kernel} 卷积${stride > 1 ? `，步长 ${stride}` : ''}，${inputChannels} → ${channels} 通道，${activation} — `,
    pool: (pooling: 'max' | 'avg', pooledTo: number) => ` → 2×2 ${pooling === 'max' ? '最大' : '平均'}池化 → ${pooledTo}×${pooledTo}`,
    readout: (channel: number, channels: number, maximum: number) =>
      `第 ${channel} 个通道（共 ${channels} 个），最大值 ${formatDecimal(maximum, 2, 'zh')}`,
    explanationSummary: '这些图是什么意思？',
    convolutionTitle: '卷积。',
    convolutionBody:
      '每个小方块是一个通道：一个 3×3 卷积核在整张图像上滑动（填充为 1，所以尺寸不变），' +
      '在每个位置回答“我要找的图案在这里有多强？”。随后 ReLU 只保留正的响应，' +
      '所以暗表示“没找到”，亮表示“找到了”。' +
      'conv1 的 32 个卷积核直接看原始像素，找的是各种方向的边缘和笔画。',
    poolingTitle: '池化。',
    poolingBody:
      '每个卷积块之后，2×2 最大池化在每个 2×2 区域里只保留最强的响应：特征图的边长减半' +
      '（28 → 14 → 7 → 3），网络不再在意某个像素的确切位置，' +
      '而下一层的 3×3 卷积核在数字上覆盖的范围，长和宽都扩大了一倍。',
    channelsTitle: '通道越来越多，特征图越来越小。',
    channelsBody:
      '通道数 1 → 32 → 64 → 128：特征图越缩越小，每个位置描述的是数字中越来越大的一部分' +
      '（一个圈、一个交叉、一笔的末端），要描述的部件种类也越来越多。' +
      '最后 128 张 3×3 的特征图（共 1,152 个数）就是 fc1 和 fc2 判断数字时能看到的全部信息。',
    scaling: '每张特征图都按它自己的最大值缩放显示；全黑的特征图说明这个通道在当前输入中什么也没找到。',
  },

  confusion: {
    table: '混淆矩阵',
    caption: (testImages: number) => `行：真实数字 · 列：预测数字 · 共 ${int(testImages)} 张测试图像`,
    corner: '真实 ╲ 预测',
    accuracy: '准确率',
    cell: (label: number, predicted: number, count: number, rowTotal: number) =>
      `真实 ${label}，预测 ${predicted}：${int(count)} 张图像` +
      (rowTotal > 0 ? `（占全部 ${int(rowTotal)} 张“${label}”的 ${pct((100 * count) / rowTotal, 1)}）` : ''),
    readoutHint: '把鼠标悬停在单元格上（或用键盘聚焦）即可查看数量；点击一个错误单元格，可查看对应的图像。',
  },

  gallery: {
    region: '错分样本',
    heading: '错分样本',
    none: '没有被分错的测试图像。',
    note: (misclassified: number, evaluated: number, kept: number, filter: { shown: number; label: number; predicted: number } | null) =>
      `${int(evaluated)} 张测试图像中有 ${int(misclassified)} 张被分错；这里保留置信度最高的 ${int(kept)} 个错误` +
      (filter ? `，其中 ${int(filter.shown)} 个是真实 ${filter.label}、预测为 ${filter.predicted}` : '') +
      '。点击其中一张，看看网络内部发生了什么。',
    showAll: '显示全部',
    item: (index: number, label: number, predicted: number, confidence: number) =>
      `测试图像 ${index}：真实 ${label}，预测 ${predicted}，置信度 ${pct(100 * confidence, 0)}`,
    confidence: (confidence: number) => pct(100 * confidence, 0),
  },

  controls: {
    region: '训练设置',
    train: '训练',
    pause: '暂停',
    resume: '继续',
    stop: '停止',
    reset: '重置',
    epochs: '训练轮数',
    learningRate: '学习率',
    weightDecay: '权重衰减',
    batchSize: '批大小',
    lrStepSize: '学习率衰减间隔（轮）',
    lrGamma: '学习率衰减系数 γ',
    dropout: 'Dropout 概率',
    seed: '随机种子',
    optimizer: '优化器',
    optimizers: { adam: 'Adam', adamw: 'AdamW', sgd: 'SGD' },
    backend: '计算后端',
    backends: {
      auto: '自动（选最快的）',
      webgpu: 'WebGPU',
      webgl: 'WebGL',
      wasm: 'WASM（在 CPU 上运行）',
      cpu: 'CPU（纯 JavaScript）',
    },
    cpuWorkers: 'CPU 工作线程',
    cpuWorkersAuto: (cores: number) => `自动（${cores}）`,
    trainingImages: '训练图像数',
    testImages: '测试图像数',
    moreSettings: '更多设置',
    moreSettingsValues: (v) =>
      `权重衰减 ${v.weightDecay} · StepLR ${v.lrStep}，γ ${v.lrGamma} · dropout ${v.dropout} · 种子 ${v.seed} · ${v.trainSize} / ${v.testSize} 张图像`,
    effectiveLearningRate: '当前实际学习率',
    liveNow: '立即生效',
    liveNextBatch: '从下一个批次起生效',
    liveNextEpoch: '从下一轮起生效',
    needsReset: '需重置后生效',
    pendingReset: '部分修改过的设置要在重置后（用新的初始权重重新开始训练）才会生效。',
    effectiveFormula: (baseLr: string, gamma: number, step: number) =>
      `= ${baseLr} × ${formatDecimalShort(gamma)}^⌊(轮次 − 1) / ${step}⌋（StepLR）`,
    notANumber: (label: string, typed: string, kept: number) => `${label}：“${typed}”不是数字；保持 ${int(kept)} 不变。`,
    outOfRange: (label: string, typed: string, min: number, max: number, used: number) =>
      `${label}：${typed} 超出范围 ${int(min)}–${int(max)}；改用 ${int(used)}。`,
  },

  charts: {
    region: '图表',
    lossTitle: '训练损失曲线',
    accuracyTitle: '准确率曲线',
    epochAxis: '轮次',
    stepAxis: '步数',
    lossAxis: '损失',
    accuracyAxis: '准确率（%）',
    trainingLoss: '训练损失',
    trainAccuracy: '训练准确率',
    testAccuracy: '测试准确率',
    batchLoss: '训练损失（逐批次）',
    smoothed: '平滑后',
    perEpoch: '每轮平均',
    smoothedLoss: '训练损失（平滑后）',
    epochLoss: '训练损失（每轮平均）',
    perBatch: '逐批次',
    train: '训练',
    test: '测试',
    tooltipEpoch: (x: number) => (Number.isInteger(x) ? `第 ${x} 轮` : `轮次 ${x.toFixed(2)}`),
    runSeries: (run: string, series: string) => `${run} · ${series}`,
    pointMenu: (run: string, epoch: number) => `${run} 的第 ${epoch} 轮`,
    closeMenu: '关闭',
    cannotBranchHere: '它的检查点已不存在：无法再从这里分支。',
  },

  liveChanges: {
    title: '训练过程中的设置变更',
    entry: (epoch: number, batch: number, changes: string, learningRate: string) =>
      `第 ${epoch} 轮第 ${batch} 批：${changes}（从这里起学习率为 ${learningRate}）`,
    spike: (loss: string, epoch: number, batch: number, median: string, learningRate: string) =>
      `第 ${epoch} 轮第 ${batch} 批的损失为 ${loss}（超过近期中位数 ${median} 的 10 倍）：学习率 ${learningRate} 可能太高了。`,
    rollBackTo: (where: string) => `回退到${where}`,
    rollBackTitle: '会用现在的设置从那里继续训练：请先调低学习率。',
    spikeMarker: (loss: string) => `⚠ 损失 ${loss}`,
    fields: {
      lr: '学习率',
      weightDecay: '权重衰减',
      lrStep: '衰减间隔',
      lrGamma: 'γ',
      dropout: 'Dropout',
      batch: '批大小',
    },
  },

  runs: {
    list: '训练记录',
    empty: '还没有训练记录：请点击“训练”。',
    notPersistent: '此浏览器不允许页面存储数据（IndexedDB 不可用）：训练记录只保留到关闭标签页为止。',
    shownColumn: '显示',
    nameColumn: '名称',
    settingsColumn: '设置',
    epochsColumn: '轮数',
    testAccuracyColumn: '测试准确率',
    statusColumn: '状态',
    actionsColumn: '操作',
    defaultLabel: (n: number) => `训练 ${n}`,
    status: { running: '进行中', done: '已完成', stopped: '已停止' },
    rename: '重命名',
    hide: '隐藏',
    show: '显示',
    delete: '删除',
    renameRun: (run: string) => `重命名训练记录 ${run}`,
    hideRun: (run: string) => `隐藏训练记录 ${run}`,
    showRun: (run: string) => `显示训练记录 ${run}`,
    deleteRun: (run: string) => `删除训练记录 ${run}`,
    nameField: (run: string) => `训练记录 ${run} 的名称`,
    confirmDelete: (run: string) => `删除训练记录 ${run}？它的曲线、指标和检查点将无法恢复；它的分支会保留。`,
    checkpointsColumn: '检查点',
    checkpoints: (size: string, epochs: string) => `${size} · 第 ${epochs} 轮`,
    midEpochOnly: (size: string) => `${size} · 仅有轮中检查点`,
    noCheckpoints: '无：已无法再分支',
    parentDeleted: '父训练已删除',
    dropCheckpoints: '删除检查点',
    dropCheckpointsOf: (run: string) => `删除训练记录 ${run} 的检查点`,
    confirmDrop: (run: string) => `删除训练记录 ${run} 的检查点？曲线会保留，但它将无法再分支或继续。`,
    storageCheckpoints: (size: string) => `检查点：${size}。`,
    storageQuota: (used: string, quota: string) => `本站已存储 ${used}，浏览器允许的上限为 ${quota}。`,
    persisted: '存储为持久存储：浏览器不会为腾出空间而清除它。',
    notPersisted: '磁盘空间不足时浏览器可能清除这些存储（浏览器没有授予持久存储）。',
    evicted: (names: string) => `存储空间已满：为腾出空间，已删除 ${names} 的检查点（最早完成的训练先删除）。它们的曲线仍保留，但无法再分支。`,
    unknownRun: '一个已删除的训练',
    joinNames: (names: readonly string[]) => names.join('、'),
  },

  exporting: {
    button: '导出',
    runsCsv: '将训练记录导出为 CSV',
    runsJson: '导出为 JSON',
    runsJsonFull: '将训练记录导出为 JSON',
    batchCsv: '将逐批次损失导出为 CSV',
    lossPng: '损失曲线图（PNG）',
    accuracyPng: '准确率曲线图（PNG）',
  },

  compare: {
    button: '对比 Adam 与 AdamW',
    buttonHint: (adamDecay: string, adamWDecay: string) =>
      `用当前设置先以 Adam（权重衰减 ${adamDecay}）训练，再从相同的初始权重（第 0 轮）分支出 AdamW（权重衰减 ${adamWDecay}），并把两次结果放在一起显示。` +
      '若要从之后的某一轮开始对比，请在逐轮日志或图表的该轮数据点上选择“Adam 对比 AdamW”。',
    title: 'Adam 与 AdamW',
    adamHeading: '带 L2 权重衰减的 Adam（原程序所用）',
    adamRule: 'g ← ∇L + λθ\nm ← β₁m + (1−β₁)g\nv ← β₂v + (1−β₂)g²\nθ ← θ − lr·m̂/(√v̂ + ε)',
    adamWHeading: 'AdamW：解耦的权重衰减',
    adamWRule: 'θ ← θ − lr·λ·θ\n然后用 g = ∇L（不含 λθ）执行 Adam 更新',
    biasCorrection: 'm̂ 和 v̂ 是经过偏差校正的 m 和 v：m̂ = m/(1−β₁ᵗ)，v̂ = v/(1−β₂ᵗ)。',
    explanation:
      '在带 L2 的 Adam 中，衰减项 λθ 被加进梯度，于是它和梯度的其余部分一起被 √v̂ 除：' +
      '梯度大的权重几乎得不到衰减，梯度小的权重反而衰减得很厉害。' +
      'AdamW 把衰减从梯度中解耦出来，每一步都让每个权重按相同的比例 lr·λ 缩小，与梯度的大小无关。' +
      '这样，权重衰减才真正成为它本来的样子：把所有权重稳定地拉向零，而不取决于每个权重的梯度有多大。' +
      '由于这部分衰减不再被 1/√v̂ 缩放，AdamW 合适的 λ 大约是 Adam 的 100 倍：1e-2，而不是 1e-4。',
  },

  recovery: {
    retry: '重试',
    failureTitle: '训练被中断了。',
    restarted: (backend: string, switched: boolean) =>
      switched
        ? `同一个后端连续失败了两次，因此已改用 ${backend} 重新启动训练线程；训练将从最近的检查点继续。`
        : `训练线程已在 ${backend} 上重新启动；训练将从最近的检查点继续。`,
    divergedTitle: '训练已暂停。',
    diverged: (loss: string, epoch: number, batch: number, learningRate: string) =>
      `第 ${epoch} 轮第 ${batch} 批时损失变成了 ${loss}（学习率 ${learningRate}）。`,
    rollBackHint: (where: string) => `请先调低学习率，再回退：训练会用新的学习率从${where}继续。`,
    where: (epoch: number, batch: number) => (batch > 0 ? `第 ${epoch + 1} 轮第 ${batch} 批` : epoch === 0 ? '训练开始时' : `第 ${epoch} 轮结束时`),
    noRollBack: '在此之前还没有检查点：请调低学习率，然后点击“重置”重新开始。',
    rollBack: '回退到最近的检查点',
    checkpointRegion: '已保存的训练',
    saved: (epoch: number, epochs: number, batch: number, when: string, trainImages: string) =>
      epoch === 0 && batch === 0
        ? `有一次共 ${epochs} 轮的训练保存在开始时（${when}，${trainImages} 张训练图像）。点击“继续”会从那里开始训练。`
        : batch > 0
        ? `有一次训练保存在第 ${epoch}/${epochs} 轮的第 ${batch} 批之后（${when}，${trainImages} 张训练图像）。点击“继续”会从中断处原样接着训练。`
        : `有一次训练保存在第 ${epoch}/${epochs} 轮结束后（${when}，${trainImages} 张训练图像）。点击“继续”会从中断处原样接着训练。`,
    resume: '继续',
    discard: '丢弃',
    checkpointsOff: (reason: string) => `检查点已关闭（${reason}）：训练照常进行，但刷新页面或程序崩溃会丢失这次训练。`,
  },

  diagnostics: {
    region: '诊断信息',
    numTensors: '训练线程中的张量数',
    idleTensors: '空闲基准值',
    idleValue: (n: number, network: number) => `无网络时 ${int(n)}，有网络时 ${int(n + network)}（含它的 ${int(network)} 个张量）`,
    dataBuffers: '数据缓冲区数',
    tensorBytes: '张量占用内存',
    perEpoch: '每轮结束后的张量数',
    poolWorker: (n: number) => `工作线程池 ${n} 号`,
    poolWorkerFigures: (tensors: string, heap: string, perEpoch: string) => `${tensors} 个张量 · WASM 堆 ${heap} · 每轮结束后：${perEpoch}`,
    allHeaps: '所有工作线程的 WASM 堆',
    lastCheckpoint: '最近写入的检查点',
    lastCheckpointValue: (size: string, milliseconds: number, where: string) => `${size}，用时 ${int(milliseconds)} 毫秒（${where}）`,
    refresh: '刷新',
  },

  modelFiles: {
    region: '模型文件',
    export: '导出模型',
    import: '导入模型',
    fileInput: '模型文件',
    stopFirst: '导入模型前请先停止训练。',
    refused: (message: string) => `模型未导入：${message} 当前模型保持不变。`,
    imported: (files: string) => `已导入 ${files}。现在的预测使用这个模型；点击“训练”会在它的基础上继续训练（“重置”会恢复为新的初始权重）。`,
    exported: (files: string) => `已保存 ${files}：可在任何 TensorFlow.js 应用中用 tf.loadLayersModel('model.json') 加载。`,
    help: 'TensorFlow.js 格式：model.json 及其权重文件。导入时请同时选择这两个文件。',
    exportPytorch: '导出为 PyTorch',
    importPytorch: '导入 PyTorch 权重',
    pytorchFileInput: 'PyTorch 权重文件',
    pytorchExported: (weightsFile: string, scriptFile: string) =>
      `已保存 ${weightsFile} 和 ${scriptFile}：在 PyTorch 中运行 python3 ${scriptFile} --weights ${weightsFile} 会打印这些权重的测试准确率。`,
    pytorchRefused: (message: string) => `PyTorch 权重未导入，当前模型保持不变。${message}`,
    torchOnly: '没有 safetensors 包时（Debian 的 python3-torch 不带它），只用 torch：',
    pytorchHelp:
      'PyTorch：<run>.safetensors（state_dict）和 <run>.py（这次训练的 PyTorch 程序）；python3 <run>.py --weights <run>.safetensors ' +
      '会打印它的测试准确率。导入时按文件注明的网络读取 .safetensors 格式的 state_dict，文件未注明时按控件中的网络读取。',
    importedName: (files: string) => `导入的 ${files}`,
    initialName: (seed: number) => `初始权重（种子 ${seed}）`,
  },

  texts: {
    render: zhText,
  },
};
