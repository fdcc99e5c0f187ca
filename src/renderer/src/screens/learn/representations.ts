/** One choice of the learner's representation, and why it cannot be chosen where it cannot. */
export interface RepresentationChoice {
  value: string;
  text: string;
  /** null: the project has what it needs. */
  unavailable: string | null;
  /** The sentence encoder of an embeddings choice. */
  encoderId?: number;
}

interface ProjectShape {
  inputKind: 'text' | 'tabular' | 'image';
  featureNames: string[] | null;
}

interface ModelShape {
  id: number;
  name: string;
  version: string;
  outputMapping: { kind: string; width: number };
}

/**
 * The three representations the learner can read, each offered only where the project has it:
 * logged feature vectors, the example text, or a registered sentence encoder's embeddings.
 */
export function representationChoices(project: ProjectShape, models: readonly ModelShape[]): RepresentationChoice[] {
  const features = project.featureNames?.length ?? 0;
  const encoders = models.filter((m) => m.outputMapping.kind === 'embedding');
  const noText =
    project.inputKind === 'text'
      ? null
      : `the examples of this ${project.inputKind === 'image' ? 'image' : 'tabular'} project have no text`;
  return [
    {
      value: 'features',
      text: features > 0 ? `logged features (${features.toLocaleString('en-US')})` : 'logged features',
      unavailable: features > 0 ? null : 'the imported log has no feature vectors',
    },
    { value: 'text', text: 'text (hashed word and character n-grams)', unavailable: noText },
    ...(encoders.length > 0
      ? encoders.map((m) => ({
          value: `embeddings:${m.name}@${m.version}`,
          encoderId: m.id,
          text: `embeddings of ${m.name}@${m.version} (${m.outputMapping.width} numbers)`,
          unavailable: noText,
        }))
      : [
          {
            value: 'embeddings',
            text: 'embeddings of a sentence encoder',
            unavailable: 'no sentence encoder is registered: add one (tokenizer.json + model.onnx) in Models',
          },
        ]),
  ];
}

/** The choice to start with: the configured one, else the first the project has. */
export function initialRepresentation(choices: readonly RepresentationChoice[], configured: string | null): string {
  if (configured !== null && choices.some((c) => c.value === configured)) return configured;
  return choices.find((c) => c.unavailable === null)?.value ?? '';
}

/** How far an encoder's embeddings are: null where the pass is complete, else a sentence and whether to compute. */
export function embeddingsProgress(
  column: { stored: number; pending: number; status: string; error: string | null } | undefined,
  name: string,
): string | null {
  if (!column) return `No embeddings of ${name} are stored yet: compute them before the learner can use them.`;
  if (column.status === 'running')
    return `Computing the embeddings of ${name}: ${column.stored.toLocaleString('en-US')} stored so far.`;
  if (column.pending === 0 && column.status === 'done') return null;
  const failed = column.status === 'failed' && column.error ? ` The last pass failed: ${column.error}` : '';
  return (
    `The embeddings of ${name} are incomplete: ${column.stored.toLocaleString('en-US')} stored, ` +
    `${column.pending.toLocaleString('en-US')} to go; computing continues where it stopped.${failed}`
  );
}
