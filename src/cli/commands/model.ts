/** `affexion model …`: import PyTorch weights into a model directory, show what a model directory holds, export it to ONNX. */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseConfig, type AffexionConfig } from '../../model/config.js';
import { checkGolden } from '../../model/golden-check.js';
import { importTorchModel, loadModelDir } from '../../model/io.js';
import { ensembleMemberDirs, isEnsembleDir, loadTrainedModel } from '../../model/model-dir.js';
import { writeOnnx } from '../../export/onnx-export.js';
import { writeModelCard } from '../../model/model-card.js';
import { jsKernels } from '../../engine/js-kernels.js';

/** ARCH.json is the reference's constructor arguments (a golden config's `model` object) or a whole golden config.json. */
function readArch(file: string, maskPadding: boolean | undefined): AffexionConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`--arch ${file}: cannot read JSON (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const obj =
    raw.model && typeof raw.model === 'object'
      ? { ...(raw.model as object), mask_padding: (raw.model as Record<string, unknown>).mask_padding ?? raw.mask_padding ?? false }
      : raw;
  return parseConfig(maskPadding === undefined ? obj : { ...obj, mask_padding: maskPadding }, `--arch ${file}`);
}

/** The speaker reference labels a model was trained with ('' when none). */
function speakerReference(training: unknown): string {
  const h = (training as { hyperparameters?: { speaker_reference?: unknown } } | null)?.hyperparameters;
  return typeof h?.speaker_reference === 'string' ? h.speaker_reference : '';
}

export function register(program: Command): void {
  const model = program.command('model').description('Model directories: import PyTorch weights, inspect');

  model
    .command('import')
    .description('Build a model directory from PyTorch state_dict weights (safetensors) and the architecture')
    .requiredOption('--torch-weights <file>', 'state_dict saved as safetensors (PyTorch names and layouts)')
    .requiredOption(
      '--arch <file>',
      "architecture JSON: the reference's constructor arguments (a golden config.json's `model` object, or the whole file)",
    )
    .requiredOption('--out <dir>', 'model directory to write (config.json + weights.safetensors)')
    .option('--labels <list>', 'comma-separated class names, one per output (default class_0, class_1, …)')
    .option('--mask-padding', 'mask padded frames by clip lengths (overrides the architecture file)')
    .action((o: { torchWeights: string; arch: string; out: string; labels?: string; maskPadding?: boolean }) => {
      const arch = readArch(o.arch, o.maskPadding);
      const labels = o.labels?.split(',').map((s) => s.trim());
      if (labels && labels.length !== arch.n_classes) {
        throw new Error(`--labels lists ${labels.length} names but the architecture has ${arch.n_classes} classes`);
      }
      const net = importTorchModel(o.torchWeights, arch, o.out, { labels });
      process.stdout.write(`wrote ${o.out} (${net.numParameters()} parameters, ${arch.n_classes} classes)\n`);
    });

  model
    .command('info')
    .description('Show the architecture, labels and training metadata of a model directory')
    .argument('<dir>', 'model directory')
    .option('--json', 'print JSON')
    .action((dir: string, o: { json?: boolean }) => {
      // An ensemble (affexion train --ensemble N) lists its members, each a model directory of its own.
      const ensemble = isEnsembleDir(dir);
      const dirs = ensemble ? ensembleMemberDirs(dir) : [dir];
      const infos = dirs.map((d) => {
        const m = loadModelDir(d);
        return {
          m,
          info: {
            dir: d,
            format_version: m.formatVersion,
            architecture: m.config,
            parameters: m.net.numParameters(),
            labels: m.labels,
            feature_params: m.featureParams,
            normalization: m.normalization?.mode ?? null,
            training: m.training,
          },
        };
      });
      if (o.json) {
        const one = infos.map((x) => x.info);
        process.stdout.write(`${JSON.stringify(ensemble ? { dir, ensemble: one } : one[0])}\n`);
        return;
      }
      if (ensemble) process.stdout.write(`ensemble ${dir}: ${infos.length} networks, class probabilities averaged\n`);
      for (const { m, info } of infos) {
        const c = m.config;
        const reference = speakerReference(m.training);
        process.stdout.write(
          [
            `model ${info.dir} (format ${m.formatVersion}, ${info.parameters} parameters)`,
            `  architecture: ${c.n_features} features → conv ${c.conv_channels}×[${c.kernel_sizes}] → BiLSTM ${c.lstm_layers}×${c.lstm_hidden} → attention → fc ${c.fc_hidden} → ${c.n_classes} classes; dropout ${c.dropout_conv}/${c.dropout_fc}; mask_padding ${c.mask_padding}`,
            `  labels: ${m.labels.join(', ')}`,
            `  normalization: ${info.normalization ?? 'none'}${reference ? ` after speaker reference normalisation (references: ${reference})` : ''}`,
          ].join('\n') + '\n',
        );
      }
    });

  model
    .command('export')
    .description(
      'Write a trained model (one network or an ensemble) as one ONNX file, with its feature settings, normalisation and labels as metadata',
    )
    .argument('<dir>', 'model directory (affexion train)')
    .requiredOption('--onnx <file>', 'ONNX file to write')
    .option('--json', 'print what was written as JSON')
    .action((dir: string, o: { onnx: string; json?: boolean }) => {
      const m = loadTrainedModel(dir);
      const bytes = writeOnnx(m, o.onnx);
      const info = {
        onnx: o.onnx,
        bytes,
        members: m.members.length,
        classes: m.classes,
        inputs: ['features', 'lengths'],
        outputs: m.members.length > 1 ? ['probs', 'member_logits'] : ['logits', 'probs'],
        functional_head: Boolean(m.functionalHead),
      };
      process.stdout.write(
        o.json
          ? `${JSON.stringify(info)}\n`
          : `wrote ${o.onnx} (${(bytes / 1e6).toFixed(2)} MB; ${m.members.length > 1 ? `ensemble of ${m.members.length} networks, probabilities averaged in the graph` : 'one network'}; classes ${m.classes.join(', ')}` +
              `${m.functionalHead ? `; functional head in the metadata (functional_head, ${m.functionalHead.fusion} fusion, applied by the runtime)` : ''})\n`,
      );
    });

  model
    .command('card')
    .description(
      'Write the model card (MODEL/model-card.md, Figure 1 as MODEL/figure1.svg, and a "Model card" section in MODEL/report.html): intended and out-of-scope use, training data, metrics per real corpus and class, calibration, failure modes',
    )
    .argument(
      '<dir>',
      'model directory (affexion train); evaluation results beside it (MODEL/evaluation-*.json from affexion evaluate --json) are included',
    )
    .addOption(
      new Option('--data <dir>', 'training data folder whose datasheet.md the card quotes (repeatable)')
        .argParser((v: string, acc: string[]) => [...acc, v])
        .default([], 'none'),
    )
    .action(async (dir: string, o: { data: string[] }) => {
      const w = await writeModelCard(dir, { data: o.data });
      process.stdout.write(`wrote ${w.markdown}, ${w.figure} and the card in ${w.report}\n`);
    });

  model
    .command('check-golden')
    .description('Measure the network against PyTorch golden cases (folders with config.json, weights.safetensors, case.safetensors)')
    .argument('<caseDirs...>', 'golden case folders, e.g. /work/shared/golden/model/small')
    .option('--backend <name>', "'engine' (the default backend: native unless AFFEXION_BACKEND=js) or 'js'", 'engine')
    .option('--json', 'one JSON line per case')
    .action((dirs: string[], o: { backend: string; json?: boolean }) => {
      if (o.backend !== 'engine' && o.backend !== 'js') throw new Error(`--backend must be 'engine' or 'js', got ${o.backend}`);
      for (const d of dirs) {
        const r = checkGolden(d, o.backend === 'js' ? jsKernels : undefined);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(r)}\n`);
          continue;
        }
        process.stdout.write(
          `${r.case} [${r.backend}] B=${r.batch} T=${r.frames}: eval logits ${r.eval_logits_max_abs.toExponential(2)}, ` +
            `probs ${r.eval_probs_max_abs.toExponential(2)}, loss ${r.train_loss_abs.toExponential(2)}, grads ${r.grad_max_rel.toExponential(2)} rel (${r.grad_worst_param}), ` +
            `BN stats ${r.bn_running_max_abs.toExponential(2)}, Adam step ${r.adam_step_max_abs.toExponential(2)}\n`,
        );
      }
    });
}
