/** `ffr export (RUN|PRUNE_ID) --format tfjs|onnx --out DIR`. */
import type { Command } from 'commander';
import type { App } from '../../services/app';
import { choiceOption, numberOption } from '../options';
import { formatCount, info, printJson } from '../output';

interface ExportFlags {
  format: 'tfjs' | 'onnx';
  out: string;
  force?: boolean;
  samples: number;
  json?: boolean;
}

export function registerExport(program: Command, withApp: <T>(fn: (app: App) => Promise<T>) => Promise<T>): void {
  program
    .command('export')
    .description("write a run's or a prune's model as TF.js or ONNX, reload it and verify it against the workbench")
    .argument('<id>', 'a completed run id, or a prune id (its fine-tuned model when the fine-tune completed)')
    .requiredOption('--format <name>', 'tfjs or onnx', choiceOption('--format', ['tfjs', 'onnx'] as const))
    .requiredOption('--out <dir>', 'output folder of its own: empty or absent unless --force; never the data directory, / or your home folder')
    .option('--force', 'replace a previous export in the output folder (one with its report.json)')
    .option('--samples <n>', 'test images to verify on', numberOption('--samples', { integer: true, min: 1, max: 256 }), 8)
    .option('--json', 'print one JSON document')
    .action((id: string, o: ExportFlags) =>
      withApp(async (app) => {
        const v = await app.exports.export({ target: id, format: o.format, outDir: o.out, force: o.force ?? false, samples: o.samples }, (m) => info(`export: ${m}`));
        if (o.json) {
          return printJson({ exportId: v.exportId, format: v.format, dir: v.dir, files: v.files, params: v.params, macs: v.macs, verified: v.verified, maxAbsDiff: v.maxAbsDiff });
        }
        info(`${v.format} export ${v.exportId} in ${v.dir}: ${v.files.join(', ')}`);
        info(`params ${formatCount(v.params)}, MACs ${formatCount(v.macs)}; reloaded and ${v.verified ? 'verified' : 'NOT verified'}: max |diff| ${v.maxAbsDiff.toExponential(2)}`);
      }),
    );
}
