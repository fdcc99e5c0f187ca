import type { ExportFileInfo, ExportPlan } from './plan';

const TASK_CATEGORY: Record<string, string> = {
  text: 'text-classification',
  tabular: 'tabular-classification',
  image: 'image-classification',
};

/** A Hugging Face dataset card: YAML front matter naming each split's file, then what is in it. */
export function datasetCard(
  plan: ExportPlan,
  counts: Record<string, { rows: number; labels: Record<string, number> }>,
  files: ExportFileInfo[],
): string {
  const splits = files.filter((f) => f.rows > 0);
  const yaml = [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    ...splits.flatMap((f) => [`  - split: ${f.split === 'all' ? 'train' : f.split}`, `    path: ${f.path}`]),
    'task_categories:',
    `- ${TASK_CATEGORY[plan.project.inputKind] ?? 'other'}`,
    '---',
  ];
  const labels = plan.schema.labels.map((l) => `| \`${l.id}\` | ${l.name} | ${l.description.replace(/\|/g, '\\|')} |`);
  const rows = Object.entries(counts).map(
    ([split, c]) =>
      `| ${split} | ${c.rows} | ${Object.entries(c.labels)
        .map(([l, n]) => `${l} ${n}`)
        .join(', ')} |`,
  );
  return [
    ...yaml,
    '',
    `# ${plan.project.name}: ${plan.options.name}`,
    '',
    `Exported by Flywheel Workbench ${plan.toolVersion} under label schema v${plan.schema.version}` +
      ` (${plan.project.taskType}, ${plan.project.inputKind}). See manifest.json for the filters, model runs,` +
      ' source files and hashes.',
    '',
    '| label | name | description |',
    '| --- | --- | --- |',
    ...labels,
    '',
    '| split | rows | labels |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
