/** `affexion dataset DATA`: what a dataset holds (classes, counts, speakers, skipped files) — a dry run. */
import type { Command } from 'commander';
import { describeDataset, scanDataset } from '../../data/dataset.js';

export function register(program: Command): void {
  program
    .command('dataset')
    .description('Scan a dataset and report classes, counts, speakers and skipped files (nothing is decoded)')
    .argument('<data>', 'folder per class or CSV manifest')
    .option('--label-map <map>', 'rename or drop labels, e.g. fearful=panic,happy=excitement,calm=')
    .option('--label-column <name>', 'manifest column holding the label (default: label, class, emotion or signal)')
    .option('--speaker-column <name>', 'manifest column holding the speaker (default: speaker, voice, actor or speaker_id)')
    .option('--json', 'print the scan as JSON')
    .action((data: string, o: { labelMap?: string; json?: boolean; labelColumn?: string; speakerColumn?: string }) => {
      const ds = scanDataset(data, { labelMap: o.labelMap, labelColumn: o.labelColumn, speakerColumn: o.speakerColumn });
      if (o.json) {
        const speakers = [...new Set(ds.items.map((i) => i.speaker).filter(Boolean))];
        const groups = [...new Set(ds.items.map((i) => i.group).filter(Boolean))];
        process.stdout.write(
          `${JSON.stringify({
            source: ds.source,
            layout: ds.layout,
            classes: ds.classes,
            counts: ds.counts,
            empty_classes: ds.emptyClasses,
            dropped: ds.dropped,
            speakers,
            groups,
            skipped: ds.skipped,
            warnings: ds.warnings,
          })}\n`,
        );
        return;
      }
      process.stdout.write(`${describeDataset(ds, 50)}\n`);
      const speakers = new Set(ds.items.map((i) => i.speaker).filter(Boolean));
      const groups = new Set(ds.items.map((i) => i.group).filter(Boolean));
      process.stdout.write(`  speakers: ${speakers.size || 'unknown'} · sentences/groups: ${groups.size || 'unknown'}\n`);
    });
}
