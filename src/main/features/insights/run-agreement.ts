import type { Output, ParsedInput } from '../../../shared/api/contract';
import type { Context } from '../../core/context';
import { loadAligned } from '../mining/mine';
import { runLabel } from '../mining/model-runs';
import { resolveProject } from '../projects/handlers';

/** Whether two score rows name the same label(s): argmax, or per class at 0.5 (binary, multilabel). */
function sameLabel(a: Float32Array, b: Float32Array, at: number, w: number, multilabel: boolean): boolean {
  if (w === 1 || multilabel) {
    for (let c = 0; c < w; c++) if (a[at + c]! >= 0.5 !== b[at + c]! >= 0.5) return false;
    return true;
  }
  let ia = 0;
  let ib = 0;
  for (let c = 1; c < w; c++) {
    if (a[at + c]! > a[at + ia]!) ia = c;
    if (b[at + c]! > b[at + ib]!) ib = c;
  }
  return ia === ib;
}

/** How far each pair of model runs agree on the examples both scored: same label, mean |Δp|. */
export function runAgreement(
  ctx: Context,
  input: ParsedInput<'insights.runAgreement'>,
): Output<'insights.runAgreement'> {
  const project = resolveProject(ctx, input.project);
  const runs = ctx.store.mining.modelRuns(project.id).slice(-input.maxRuns);
  const multilabel = project.taskType === 'multilabel';
  const pairs: Output<'insights.runAgreement'> = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const { base, scores, eligible } = loadAligned(ctx, project, [runs[i]!, runs[j]!]);
      const [a, b] = scores as [Float32Array, Float32Array];
      const w = base.width;
      let n = 0;
      let agree = 0;
      let delta = 0;
      for (let r = 0; r < base.n; r++) {
        if (!eligible[r]) continue;
        n++;
        if (sameLabel(a, b, r * w, w, multilabel)) agree++;
        let d = 0;
        for (let c = 0; c < w; c++) d += Math.abs(a[r * w + c]! - b[r * w + c]!);
        delta += d / w;
      }
      pairs.push({
        a: runLabel(runs[i]!),
        b: runLabel(runs[j]!),
        examples: n,
        labelAgreement: n ? agree / n : null,
        meanAbsDelta: n ? delta / n : null,
      });
    }
  }
  return pairs;
}
