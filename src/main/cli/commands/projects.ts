import { call } from '../../core/dispatch';
import { openCliContext, print, type GlobalOptions } from '../cli-context';
import { EXIT } from '../exit-codes';

const n = (v: number) => v.toLocaleString('en-US');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export async function initCommand(opts: GlobalOptions): Promise<number> {
  const ctx = openCliContext(opts);
  try {
    const info = await call('app.info', {}, ctx);
    print(opts, info, () => `Workbench database ready: ${info.databasePath} (schema ${info.schemaVersion})`);
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

export async function projectsCommand(opts: GlobalOptions): Promise<number> {
  const ctx = openCliContext(opts);
  try {
    const projects = await call('projects.list', {}, ctx);
    print(opts, projects, () =>
      projects.length === 0
        ? 'No projects yet. Import a log: flywheel import FILE --project NAME'
        : projects
            .map(
              (p) =>
                `${p.name.padEnd(24)} ${p.taskType.padEnd(10)} ${n(p.counts.examples).padStart(11)} examples ` +
                `${n(p.counts.modelRuns).padStart(3)} model runs ${n(p.counts.labelEvents).padStart(7)} label events` +
                (p.counts.interruptedImports ? `  (${p.counts.interruptedImports} interrupted import)` : ''),
            )
            .join('\n'),
    );
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/** Counts as a row of bars, tallest = the largest count. */
function sparkline(counts: number[]): string {
  const max = Math.max(1, ...counts);
  return counts.map((c) => (c === 0 ? ' ' : BARS[Math.min(7, Math.floor((c / max) * 7.999))])).join('');
}

export async function statsCommand(opts: GlobalOptions, name: string | undefined): Promise<number> {
  const ctx = openCliContext(opts);
  try {
    let projectName = name;
    if (!projectName) {
      const all = await call('projects.list', {}, ctx);
      if (all.length !== 1) {
        process.stderr.write(`flywheel: name a project (${all.map((p) => p.name).join(', ') || 'none yet'})\n`);
        return EXIT.usage;
      }
      projectName = all[0]!.name;
    }
    const s = await call('projects.stats', { project: projectName }, ctx);
    const project = { project: projectName };
    const scoreDistributions = await call('insights.histograms', { project, bins: 10 }, ctx);
    const runAgreement = s.modelRuns.length > 1 ? await call('insights.runAgreement', { project }, ctx) : [];
    print(opts, { ...s, scoreDistributions, runAgreement }, () => {
      const lines = [
        `${s.project.name} — ${s.project.taskType}, ${s.project.inputKind} input, classes: ${s.project.classes.join(', ')}`,
        `  examples        ${n(s.counts.examples)}`,
        `  with truth      ${n(s.counts.groundTruth)}${
          Object.keys(s.groundTruthCounts).length
            ? `  (${Object.entries(s.groundTruthCounts)
                .map(([k, v]) => `${k} ${n(v)}`)
                .join(', ')})`
            : ''
        }`,
        `  predictions     ${n(s.counts.predictions)}`,
        `  label events    ${n(s.counts.labelEvents)}`,
        `  time range      ${s.timeRange ? `${day(s.timeRange.from)} → ${day(s.timeRange.to)}` : '—'}`,
        `  model runs      ${s.modelRuns.length}`,
        ...s.modelRuns.map(
          (r) =>
            `    #${r.id} ${r.modelName} ${r.modelVersion} (${r.source}): ${n(r.predictions)} predictions — ` +
            Object.entries(r.predictedCounts)
              .map(([k, v]) => `${k} ${((100 * v) / Math.max(1, r.predictions)).toFixed(1)}%`)
              .join(', '),
        ),
      ];
      if (scoreDistributions.length > 0) {
        lines.push(
          `  score distribution (${scoreDistributions[0]!.binary ? 'P(positive)' : 'top-class probability'}, 10 bins over 0 → 1)`,
        );
        for (const h of scoreDistributions) lines.push(`    ${sparkline(h.bins)}  ${h.name}`);
      }
      if (runAgreement.length > 0) {
        lines.push('  agreement between runs (same label · mean |Δp| · examples both scored)');
        for (const p of runAgreement) {
          const agree = p.labelAgreement === null ? '—' : `${(100 * p.labelAgreement).toFixed(1)}%`;
          const delta = p.meanAbsDelta === null ? '—' : p.meanAbsDelta.toFixed(3);
          lines.push(`    ${p.a} vs ${p.b}: ${agree} · ${delta} · ${n(p.examples)}`);
        }
      }
      if (s.counts.interruptedImports)
        lines.push(`  ${s.counts.interruptedImports} interrupted import(s): import the same file again to resume`);
      return lines.join('\n');
    });
    return EXIT.ok;
  } finally {
    await ctx.dispose();
  }
}
