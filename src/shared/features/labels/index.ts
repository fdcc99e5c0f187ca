export {
  HotkeySchema,
  LabelColorSchema,
  LabelIdSchema,
  LabelSchema,
  LabelSchemaVersionDraftSchema,
  MAX_CHANGE_NOTE_CHARS,
  MAX_DESCRIPTION_CHARS,
  MAX_GUIDELINES_CHARS,
  MAX_LABELS,
  MIN_LABELS,
  RESERVED_HOTKEYS,
  formatIssue,
  hotkeyProblem,
  validateDraft,
  withDefaultHotkeys,
} from './schema';
export type {
  DraftValidation,
  Label,
  LabelId,
  LabelInput,
  LabelSchemaVersionDraft,
  LabelSchemaVersionDraftInput,
  LabelSetVersion,
} from './schema';

export {
  LabelChangeSchema,
  carryForwardLabels,
  checkMapping,
  describeChange,
  describeDiff,
  diffVersions,
  isEmptyDiff,
  planCarryForward,
} from './mapping';
export type { CarryForwardPlan, FieldChange, LabelChange, SchemaDiff } from './mapping';

export {
  LABEL_ACTIONS,
  LabelActionSchema,
  LabelEventSchema,
  NothingToUndoError,
  agreementValues,
  assertCanUndo,
  canUndo,
  checkEventLabels,
  currentLabels,
  labelSetKey,
  normalizeLabels,
  undoTarget,
  undoneEventIds,
} from './events';
export type {
  AnnotatorDecision,
  CurrentLabels,
  CurrentLabelsOptions,
  DecisionAction,
  LabelAction,
  LabelEvent,
  Resolution,
} from './events';

export { alphaOverItems, cohensKappa, krippendorffAlpha, pairwiseKappa } from './agreement';
export type { PairKappa } from './agreement';
