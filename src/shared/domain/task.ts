import { z } from 'zod';
import { isWellFormed } from './well-formed';

export const TaskTypeSchema = z.enum(['binary', 'multiclass', 'multilabel']);
export type TaskType = z.infer<typeof TaskTypeSchema>;

export const InputKindSchema = z.enum(['text', 'tabular', 'image']);
export type InputKind = z.infer<typeof InputKindSchema>;

export const ClassNameSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => s.trim() === s, 'class names cannot start or end with spaces')
  .refine(isWellFormed, 'class names cannot hold an unpaired UTF-16 surrogate');

/** Binary projects store one score per prediction: the probability of classes[1]. */
export function scoreWidth(taskType: TaskType, classCount: number): number {
  return taskType === 'binary' ? 1 : classCount;
}
