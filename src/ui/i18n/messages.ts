/**
 * Every string the page shows, in English: labels, messages, explanations, accessible names and
 * titles. `zh.ts` is typed `Messages`, so the compiler checks that Chinese has every key and that each
 * message function takes the same parameters.
 *
 * A value is a string, or a function of typed parameters that returns a string. Functions format their
 * own numbers for their language (counts grouped "60,000", percentages), so callers pass raw numbers.
 *
 * The worker's and the URL parser's messages (backend reasons, loading steps, notices, errors) arrive
 * as data (`Text`, src/shared/texts.ts) and are rendered by `texts.render`: in English by
 * `englishText`, the wording the worker sends along as `message`; in Chinese by zhTexts.ts.
 */
import type { BackendChoice, LiveField } from '../../shared/config';
import type { OptimizerKind } from '../../shared/optimizers';
import type { RunStatus } from '../runs/runTypes';
import { englishText, type Text } from '../../shared/texts';
import { formatDecimal, formatInteger, formatPercent } from '../format';

const int = (n: number) => formatInteger(n, 'en');
/** Up to three significant digits: 0.5, 0.25, 0.125. */
const formatDecimalShort = (v: number) => String(Number(v.toPrecision(3)));
const pct = (percent: number, digits: number) => formatPercent(percent, digits, 'en');

export const en = {
  app: {
    /** document.title */
    documentTitle: 'MNIST Lab',
    title: 'MNIST Lab',
    subtitle: (batch: number) =>
      `The seed's SimpleCNN, trained on all of MNIST in this tab: Adam with L2 weight decay, StepLR, batch ${batch}.`,
    /** Before a data file's message (which starts with the file's name). */
    dataErrorPrefix: 'The MNIST data could not be used. ',
    dataErrorSuffix: ' Nothing was trained on it; reload the page to try again.',
    errorPrefix: 'Error: ',
    /** Followed by the accuracy in <strong>. */
    finalAccuracy: 'Final test accuracy: ',
    stoppedAccuracy: 'Stopped. Last test accuracy: ',
    tryItRegion: 'Draw a digit',
    tryItHeading: 'Try it: draw a digit',
    insightRegion: 'Test-set insight',
    insightHeading: (epoch: number) => `Test-set insight after epoch ${epoch}`,
    printoutSummary: 'Console output, as the seed prints it',
  },

  status: {
    starting: 'Starting the training worker…',
    /** In <strong>, before the adapter. */
    backend: (name: string, workers: number) => (workers > 1 ? `Backend: ${name} · ${workers} workers` : `Backend: ${name}`),
    /** After the adapter when it is a software GPU. */
    software: ' (software)',
    /** Between the adapter and the reason. */
    reasonSeparator: '. ',
    dataVerified: (trainImages: number, testImages: number, megabytes: number) =>
      `MNIST verified (SHA-256, IDX headers): ${int(trainImages)} training and ${int(testImages)} test images, ` +
      `${formatDecimal(megabytes, 1, 'en')} MB downloaded.`,
    /** Around the parameter count, which is shown in its own <span>. */
    /** Before the parameter count: the seed's network by name, any other by its compact form. */
    paramsPrefix: (network: string | null) => (network === null ? 'SimpleCNN: ' : `Network ${network}: `),
    paramsSuffix: ' parameters.',
    tensorCounts: (counts: readonly number[]) => ` Tensors in the worker after each epoch: ${counts.join(', ')}.`,
  },

  progress: {
    region: 'Training progress',
    bar: 'Epoch progress',
    notStarted: 'Not started',
    /** Followed by `evaluating` or `batch`. */
    epoch: (epoch: number, epochs: number) => `Epoch ${epoch}/${epochs} · `,
    evaluating: (testImages: number) => `evaluating on ${int(testImages)} test images`,
    batch: (batch: number, batches: number) => `batch ${int(batch)}/${int(batches)}`,
    samplesPerSecond: (samples: number) => `${int(samples)} samples/s`,
    msPerStep: (ms: number) => `${int(ms)} ms/step`,
    measuring: 'measuring speed…',
    /** Durations arrive formatted (m:ss). */
    epochEta: (duration: string) => `ETA epoch ${duration}`,
    runEta: (duration: string) => `run ${duration}`,
    runningLoss: (loss: string) => `running loss ${loss}`,
  },

  epochLog: {
    caption: 'Epoch log',
    epoch: 'Epoch',
    loss: 'Loss',
    trainAccuracy: 'Train Acc',
    testAccuracy: 'Test Acc',
    learningRate: 'Learning Rate',
    empty: 'No epochs yet: press Train.',
    /** The menu of kept runs whose epochs the log shows. */
    runPicker: 'Run in the log',
    /** The column of each epoch's branch actions (visually hidden header). */
    actions: 'Branch from this epoch',
    branch: 'Branch',
    /** A branch action's accessible name; also the chart point menu's button. */
    branchFrom: (epoch: number) => `Branch from epoch ${epoch}`,
    compare: 'Adam vs AdamW',
    compareFrom: (epoch: number) => `Adam vs AdamW from epoch ${epoch}`,
    /** Before epoch 0's actions, above the table. */
    initialWeights: 'Initial weights (epoch 0):',
    noCheckpoint: 'no checkpoint',
    /** Title of a branch's rows before its branch point. */
    inherited: (run: string) => `Trained by ${run}, before this branch`,
    branchHint: "A branch is a new run from that epoch's checkpoint, with the settings now in the controls.",
    stopToBranch: 'Stop the run to branch: a branch is a new run.',
  },

  notices: {
    list: 'Notices',
    dismiss: 'Dismiss notice',
  },

  drawing: {
    pad: 'Drawing pad',
    clear: 'Clear',
    undo: 'Undo',
    inputImage: 'Network input, 28 by 28 pixels',
    inputCaption: 'What the network sees: 28×28, centred by mass',
    testImageCaption: (index: number, label: number) =>
      `Test image ${index} (true label ${label}), as the network sees it; draw to replace it`,
  },

  prediction: {
    panel: 'Prediction panel',
    /** The visible label and the predicted digit's accessible name. */
    prediction: 'Prediction',
    drawHint: 'Draw a digit',
    untrained: 'untrained network',
    probabilities: 'Probabilities',
    /** `probability` is 0–1: "7: 93.1%". */
    probability: (digit: number, probability: number) => `${digit}: ${pct(100 * probability, 1)}`,
    noProbability: (digit: number) => `${digit}: –`,
  },

  featureMaps: {
    region: 'Feature maps',
    heading: 'What the network sees inside: feature maps',
    hint: 'Draw a digit, or pick a misclassified test image below, to see its feature maps.',
    /** "32 maps of 28×28": part of each layer's caption and its canvas's accessible name. */
    shape: (channels: number, height: number, width: number) => `${channels} maps of ${height}×${width}`,
    /** After the layer's name (conv1 …), before the shape. */
    layer: (kernel: number, stride: number, inputChannels: number, channels: number, activation: string) =>
      `: ${kernel}×${kernel} conv${stride > 1 ? `, stride ${stride}` : ''}, ${inputChannels} → ${channels} channels, ${activation} — `,
    pool: (pooling: 'max' | 'avg', pooledTo: number) => ` → ${pooling}-pool 2×2 → ${pooledTo}×${pooledTo}`,
    readout: (channel: number, channels: number, maximum: number) =>
      `channel ${channel} of ${channels}, maximum ${formatDecimal(maximum, 2, 'en')}`,
    explanationSummary: 'What am I looking at?',
    convolutionTitle: 'Convolution.',
    convolutionBody:
      ' Each small square is one channel: a 3×3 filter slid over the whole image (padding 1, so the size stays), ' +
      'answering “how much of my pattern is here?” at every position. The ReLU then keeps only the positive answers, ' +
      'so dark means “not found” and bright “found”. ' +
      "conv1's 32 filters see raw pixels and find edges and strokes at one angle or another.",
    poolingTitle: 'Pooling.',
    poolingBody:
      ' After each block a 2×2 max-pool keeps the strongest answer of every 2×2 patch: the map halves ' +
      "(28 → 14 → 7 → 3), the network stops caring about a pixel's exact place, and the next layer's 3×3 filter " +
      'covers twice the area of the digit.',
    channelsTitle: 'More channels, smaller maps.',
    channelsBody:
      ' 1 → 32 → 64 → 128 channels: as the maps shrink, each position describes a larger part of the digit ' +
      '(a loop, a crossing, an end of a stroke), and there are more kinds of parts to describe. ' +
      'The last 128 maps of 3×3 (1,152 numbers) are all that fc1 and fc2 see to decide the digit.',
    scaling: 'Each map is scaled to its own maximum; an all-dark map is a channel that found nothing in this input.',
  },

  confusion: {
    table: 'Confusion matrix',
    caption: (testImages: number) => `Rows: true digit · columns: predicted · ${int(testImages)} test images`,
    corner: 'true ╲ pred',
    accuracy: 'accuracy',
    /** A cell's accessible name, title and readout; `rowTotal` is the number of test images of `label`. */
    cell: (label: number, predicted: number, count: number, rowTotal: number) =>
      `True ${label}, predicted ${predicted}: ${count} image${count === 1 ? '' : 's'}` +
      (rowTotal > 0 ? ` (${((100 * count) / rowTotal).toFixed(1)}% of the ${rowTotal} ${label}s)` : ''),
    readoutHint: 'Hover or focus a cell for its count; click a mistake to see those images.',
  },

  gallery: {
    region: 'Misclassified examples',
    heading: 'Misclassified examples',
    none: 'No test image was misclassified.',
    /** `filter`: the confusion-matrix cell the gallery is narrowed to, with how many of the kept mistakes it holds. */
    note: (misclassified: number, evaluated: number, kept: number, filter: { shown: number; label: number; predicted: number } | null) =>
      `${int(misclassified)} of ${int(evaluated)} test images were misclassified; ` +
      `the ${kept} most confident mistakes are kept` +
      (filter ? `, ${filter.shown} of them true ${filter.label} predicted ${filter.predicted}` : '') +
      '. Click one to look inside the network.',
    showAll: 'Show all',
    /** `confidence` is 0–1. */
    item: (index: number, label: number, predicted: number, confidence: number) =>
      `Test image ${index}: true ${label}, predicted ${predicted} with ${pct(100 * confidence, 0)} confidence`,
    /** The confidence under an item's image. */
    confidence: (confidence: number) => pct(100 * confidence, 0),
  },

  controls: {
    region: 'Controls',
    train: 'Train',
    pause: 'Pause',
    resume: 'Resume',
    stop: 'Stop',
    reset: 'Reset',
    epochs: 'Epochs',
    learningRate: 'Learning rate',
    weightDecay: 'Weight decay',
    batchSize: 'Batch size',
    lrStepSize: 'LR step size',
    lrGamma: 'LR gamma',
    dropout: 'Dropout',
    seed: 'Seed',
    optimizer: 'Optimizer',
    optimizers: { adam: 'Adam', adamw: 'AdamW', sgd: 'SGD' } satisfies Record<OptimizerKind, string>,
    backend: 'Backend',
    backends: {
      auto: 'Auto (fastest available)',
      webgpu: 'WebGPU',
      webgl: 'WebGL',
      wasm: 'WASM (CPU)',
      cpu: 'CPU (plain JavaScript)',
    } satisfies Record<BackendChoice, string>,
    /** How many workers share each batch on the wasm backend (data-parallel, the same results). */
    cpuWorkers: 'CPU workers',
    cpuWorkersAuto: (cores: number) => `Auto (${cores})`,
    trainingImages: 'Training images',
    testImages: 'Test images',
    /** The collapsible group of the settings beyond the seed's recipe (epochs, learning rate, batch, optimizer). */
    moreSettings: 'More settings',
    /** Beside the folded group's title: what its settings are now, so they can be read without opening it. */
    moreSettingsValues: (v: { weightDecay: string; lrStep: number; lrGamma: string; dropout: string; seed: number; trainSize: string; testSize: string }) =>
      `wd ${v.weightDecay} · StepLR ${v.lrStep}, γ ${v.lrGamma} · dropout ${v.dropout} · seed ${v.seed} · ${v.trainSize} / ${v.testSize} images`,
    effectiveLearningRate: 'Effective learning rate',
    /** When a change applies, next to the control. */
    liveNow: 'takes effect now',
    liveNextBatch: 'takes effect from the next batch',
    liveNextEpoch: 'takes effect from the next epoch',
    needsReset: 'needs Reset',
    /** Shown while a changed setting waits for Reset. */
    pendingReset: 'Some changed settings apply only after Reset (a fresh run from new weights).',
    /** After the effective learning rate: how StepLR derives it from the base rate. */
    effectiveFormula: (baseLr: string, gamma: number, step: number) =>
      `= ${baseLr} × ${formatDecimalShort(gamma)}^⌊(epoch − 1) / ${step}⌋ (StepLR)`,
    /** Notices from a number field; `label` is the field's label in the page's language. */
    notANumber: (label: string, typed: string, kept: number) => `${label}: "${typed}" is not a number; kept ${int(kept)}.`,
    outOfRange: (label: string, typed: string, min: number, max: number, used: number) =>
      `${label}: ${typed} is outside ${int(min)}–${int(max)}; using ${int(used)}.`,
  },

  charts: {
    region: 'Charts',
    lossTitle: 'Training Loss Curve',
    accuracyTitle: 'Accuracy Curves',
    epochAxis: 'Epoch',
    stepAxis: 'Step',
    lossAxis: 'Loss',
    accuracyAxis: 'Accuracy (%)',
    trainingLoss: 'Training loss',
    trainAccuracy: 'Train Accuracy',
    testAccuracy: 'Test Accuracy',
    batchLoss: 'Training loss (per batch)',
    smoothed: 'smoothed',
    perEpoch: 'per epoch',
    smoothedLoss: 'Training loss (smoothed)',
    epochLoss: 'Training loss (per epoch)',
    perBatch: 'per batch',
    train: 'train',
    test: 'test',
    /** Tooltip title at x (in epochs; fractional on the per-batch curve). */
    tooltipEpoch: (x: number) => (Number.isInteger(x) ? `Epoch ${x}` : `Epoch ${x.toFixed(2)}`),
    /** A series of one run: "AdamW wd=1e-2 · smoothed". */
    runSeries: (run: string, series: string) => `${run} · ${series}`,
    /** The menu of a clicked (or tapped) epoch point. */
    pointMenu: (run: string, epoch: number) => `Epoch ${epoch} of ${run}`,
    closeMenu: 'Close',
    cannotBranchHere: 'Its checkpoint is gone: it can no longer be branched here.',
  },

  liveChanges: {
    title: 'Live changes',
    /** `changes` from liveChangeText with `fields`; `learningRate` formatted. */
    entry: (epoch: number, batch: number, changes: string, learningRate: string) =>
      `Epoch ${epoch}, batch ${batch}: ${changes} (learning rate from here: ${learningRate})`,
    /** A loss spike's warning (`loss`, `median` and `learningRate` formatted); a roll-back button follows it. */
    spike: (loss: string, epoch: number, batch: number, median: string, learningRate: string) =>
      `Loss ${loss} at epoch ${epoch}, batch ${batch} (over 10× the recent median, ${median}): the learning rate ${learningRate} may be too high.`,
    /** The spike warning's button: back to where `where` (recovery.where) says. */
    rollBackTo: (where: string) => `Roll back to ${where}`,
    rollBackTitle: 'Continues from there with the settings as they are now: lower the learning rate first.',
    /** The spike's marker on the loss chart. */
    spikeMarker: (loss: string) => `⚠ loss ${loss}`,
    /** Short names for chart markers and the change log: "lr 1e-3→3e-3, batch 128→256". */
    fields: {
      lr: 'lr',
      weightDecay: 'wd',
      lrStep: 'step',
      lrGamma: 'γ',
      dropout: 'dropout',
      batch: 'batch',
    } satisfies Record<LiveField, string>,
  },

  runs: {
    list: 'Runs',
    empty: 'No runs yet: press Train.',
    notPersistent: 'This browser does not let the page store data (IndexedDB unavailable): runs are kept only until the tab is closed.',
    shownColumn: 'Shown',
    nameColumn: 'Name',
    settingsColumn: 'Settings',
    epochsColumn: 'Epochs',
    testAccuracyColumn: 'Test accuracy',
    statusColumn: 'Status',
    actionsColumn: 'Actions',
    /** The automatic label when the runs shown do not differ in any setting. */
    defaultLabel: (n: number) => `Run ${n}`,
    status: { running: 'running', done: 'done', stopped: 'stopped' } satisfies Record<RunStatus, string>,
    rename: 'Rename',
    hide: 'Hide',
    show: 'Show',
    delete: 'Delete',
    /** Accessible names of a run's buttons and of its name field. */
    renameRun: (run: string) => `Rename run ${run}`,
    hideRun: (run: string) => `Hide run ${run}`,
    showRun: (run: string) => `Show run ${run}`,
    deleteRun: (run: string) => `Delete run ${run}`,
    nameField: (run: string) => `Name of run ${run}`,
    confirmDelete: (run: string) => `Delete run ${run}? Its curves, metrics and checkpoints will be lost; its branches stay.`,
    checkpointsColumn: 'Checkpoints',
    /** `size` formatted ("4.7 MB"); `epochs` the epochs stored ("0–3"). */
    checkpoints: (size: string, epochs: string) => `${size} · epochs ${epochs}`,
    /** A rolling or pinned checkpoint only (mid-epoch): resumable, no branch point. */
    midEpochOnly: (size: string) => `${size} · mid-epoch only`,
    noCheckpoints: 'none: can no longer be branched',
    /** Marks a branch whose parent run was deleted. */
    parentDeleted: 'parent deleted',
    dropCheckpoints: 'Drop checkpoints',
    dropCheckpointsOf: (run: string) => `Drop the checkpoints of run ${run}`,
    confirmDrop: (run: string) => `Drop the checkpoints of run ${run}? Its curves stay, but it can no longer be branched or resumed.`,
    /** Under the table: the checkpoints' size, then the browser's figures. Sizes formatted. */
    storageCheckpoints: (size: string) => `Checkpoints: ${size}.`,
    storageQuota: (used: string, quota: string) => ` This site stores ${used} of the ${quota} the browser allows it.`,
    persisted: ' Storage is persistent: the browser will not clear it to make space.',
    notPersisted: ' The browser may clear this storage when the disk runs low (it did not grant persistent storage).',
    /** `names` is a list of run names, already joined. */
    evicted: (names: string) =>
      `Storage was full: the checkpoints of ${names} were dropped to make room (the oldest finished runs go first). Their curves are kept; they can no longer be branched.`,
    unknownRun: 'a deleted run',
    /** Joins run names in a sentence: "Run 1, Run 2 and Run 3". */
    joinNames: (names: readonly string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`),
  },

  exporting: {
    button: 'Export',
    runsCsv: 'Export runs as CSV',
    /** Next to `runsCsv`: "Export runs as CSV | as JSON". */
    runsJson: 'as JSON',
    runsJsonFull: 'Export runs as JSON',
    batchCsv: 'Export batch losses as CSV',
    lossPng: 'Loss chart as PNG',
    accuracyPng: 'Accuracy chart as PNG',
  },

  compare: {
    button: 'Compare Adam vs AdamW',
    buttonHint: (adamDecay: string, adamWDecay: string) =>
      `Trains the current setup with Adam (weight decay ${adamDecay}), then AdamW (weight decay ${adamWDecay}) as a branch from the same initial weights (epoch 0), and shows both runs. ` +
      'To compare from a later epoch, use Adam vs AdamW on that epoch in the epoch log or on a chart point.',
    title: 'Adam vs AdamW',
    adamHeading: 'Adam with L2 weight decay (the seed’s)',
    /** Formulas, one per line, for a <pre>. */
    adamRule: 'g ← ∇L + λθ\nm ← β₁m + (1−β₁)g\nv ← β₂v + (1−β₂)g²\nθ ← θ − lr·m̂/(√v̂ + ε)',
    adamWHeading: 'AdamW: decoupled weight decay',
    adamWRule: 'θ ← θ − lr·λ·θ\nthen the Adam step on g = ∇L, without λθ',
    biasCorrection: 'm̂ and v̂ are m and v with bias correction: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).',
    explanation:
      'In Adam with L2, the decay λθ is added to the gradient, so it is divided by √v̂ along with the rest of it: ' +
      'weights with large gradients are barely decayed, and weights with small gradients are decayed a lot. ' +
      'AdamW takes the decay out of the gradient and shrinks every weight by the same fraction lr·λ per step, ' +
      'independent of the scale of its gradient. ' +
      'Weight decay becomes what it is meant to be, a steady pull of every weight towards zero, ' +
      'rather than something that depends on how large each weight’s gradients are. ' +
      'Because that decay is no longer rescaled by 1/√v̂, AdamW’s useful λ is about 100× larger than Adam’s: 1e-2 rather than 1e-4.',
  },

  recovery: {
    retry: 'Retry',
    failureTitle: 'Training was interrupted.',
    /** After a worker failure: where the replacement runs (`backend` is a Backend menu label). */
    restarted: (backend: string, switched: boolean) =>
      switched
        ? `The same backend failed twice, so the worker was restarted on ${backend}; the run continues from its last checkpoint.`
        : `The worker was restarted on ${backend}; the run continues from its last checkpoint.`,
    divergedTitle: 'Training paused.',
    /** `loss` is NaN, +∞, −∞ or a number past 1,000, formatted; `learningRate` formatted. */
    diverged: (loss: string, epoch: number, batch: number, learningRate: string) =>
      `The loss became ${loss} at epoch ${epoch}, batch ${batch} (learning rate ${learningRate}).`,
    /** `where` from `where` below. */
    rollBackHint: (where: string) => `Lower the learning rate, then roll back: the run continues from ${where} with the new rate.`,
    /** A roll-back point: `epoch` epochs done and `batch` batches of the next one. */
    where: (epoch: number, batch: number) => (batch > 0 ? `epoch ${epoch + 1}, batch ${batch}` : epoch === 0 ? 'the start' : `epoch ${epoch}`),
    noRollBack: 'There is no checkpoint before this point yet: lower the learning rate and press Reset to start again.',
    rollBack: 'Roll back to the last checkpoint',
    checkpointRegion: 'Saved run',
    /** `epoch` is 1-based (the epoch to continue), `batch` the batches of it already done (0 at its start); `when`, `trainImages` formatted. */
    saved: (epoch: number, epochs: number, batch: number, when: string, trainImages: string) =>
      epoch === 0 && batch === 0
        ? `A run of ${epochs} epochs was saved at its start (${when}, ${trainImages} training images). Resume trains it from there.`
        : batch > 0
        ? `A run was saved at epoch ${epoch} of ${epochs}, after batch ${batch} (${when}, ${trainImages} training images). Resume continues it exactly where it stopped.`
        : `A run was saved after epoch ${epoch} of ${epochs} (${when}, ${trainImages} training images). Resume continues it exactly where it stopped.`,
    resume: 'Resume',
    discard: 'Discard',
    /** `reason` is the worker's, rendered by `texts.render`. */
    checkpointsOff: (reason: string) =>
      `Checkpoints are off (${reason}): training goes on, but a reload or a crash will lose the run.`,
  },

  diagnostics: {
    region: 'Diagnostics',
    numTensors: 'Tensors in the worker',
    idleTensors: 'Idle value',
    /** `network`: the tensors of the network's state (weights, biases, BatchNorm statistics). */
    idleValue: (n: number, network: number) => `${int(n)} with no network, ${int(n + network)} with one (its ${int(network)} tensors)`,
    dataBuffers: 'Data buffers',
    tensorBytes: 'Tensor memory',
    perEpoch: 'Tensors after each epoch',
    /** One row per pool worker (the workers beside the training worker that share each batch). */
    poolWorker: (n: number) => `Pool worker ${n}`,
    poolWorkerFigures: (tensors: string, heap: string, perEpoch: string) => `${tensors} tensors · WASM heap ${heap} · after each epoch: ${perEpoch}`,
    allHeaps: 'WASM heaps, all workers',
    /** The last checkpoint written to IndexedDB: its size, the write's time, where in the run (`where`: recovery.where). */
    lastCheckpoint: 'Last checkpoint written',
    lastCheckpointValue: (size: string, milliseconds: number, where: string) => `${size} in ${int(milliseconds)} ms (${where})`,
    refresh: 'Refresh',
  },

  modelFiles: {
    region: 'Model files',
    export: 'Export model',
    import: 'Import model',
    fileInput: 'Model files',
    stopFirst: 'Stop the run before importing a model.',
    /** `message` is the file check's, rendered by `texts.render`. */
    refused: (message: string) => `The model was not imported: ${message} The current model is unchanged.`,
    imported: (files: string) => `Imported ${files}. Predictions use it now; Train continues training it (Reset returns to fresh weights).`,
    exported: (files: string) => `Saved ${files}: load them in any TensorFlow.js app with tf.loadLayersModel('model.json').`,
    help: 'TensorFlow.js format: model.json with its weights file. Choose both files together to import.',
    exportPytorch: 'Export for PyTorch',
    importPytorch: 'Import PyTorch weights',
    pytorchFileInput: 'PyTorch weights file',
    pytorchExported: (weightsFile: string, scriptFile: string) =>
      `Saved ${weightsFile} and ${scriptFile}: in PyTorch, python3 ${scriptFile} --weights ${weightsFile} prints their test accuracy.`,
    /** `message` says why (a PyTorch text): its lines after the first, Python code, are shown as code below. */
    pytorchRefused: (message: string) => `The PyTorch weights were not imported; the current model is unchanged. ${message}`,
    /** Shown under a refused .pt/.pth file, beside the lines that need the safetensors package. */
    torchOnly: "Without the safetensors package (Debian's python3-torch has none), with torch alone:",
    pytorchHelp:
      'PyTorch: <run>.safetensors (the state_dict) and <run>.py, the run as a PyTorch program; python3 <run>.py --weights <run>.safetensors ' +
      'prints its test accuracy. An import reads a .safetensors state_dict as the network the file names, else the one in the controls.',
    /** Names of an export that is not a run of this page: an imported model (`files`: its file names), fresh initial weights. */
    importedName: (files: string) => `Imported ${files}`,
    initialName: (seed: number) => `Initial weights, seed ${seed}`,
  },

  texts: {
    /** A text the worker or a shared parser wrote (src/shared/texts.ts). */
    render: (text: Text) => englishText(text),
  },
};

/** `typeof en` with every string widened to `string` and every function returning `string`. */
type Widen<T> = T extends string
  ? string
  : T extends (...args: infer A) => unknown
    ? (...args: A) => string
    : { readonly [K in keyof T]: Widen<T[K]> };

export type Messages = Widen<typeof en>;
