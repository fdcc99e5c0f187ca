import { createRowValidator, type RawRow } from '../../../shared/features/import/row-validator';
import { scoreWidth } from '../../../shared/domain/task';
import { packColumns, type PackedMapping } from '../../../shared/features/import/packed-columns';
import { BatchBuilder, type SourceReject } from './batch';
import type { ParseJob, ParserMessage } from './parse-protocol';

const RAW_EXCERPT_CHARS = 300;

/** Thrown by readers for problems that make the whole file unreadable. */
export class FileProblem extends Error {}

/**
 * Receives raw records from a reader, validates them, packs batches, and applies
 * backpressure: the reader awaits `drain()` between chunks.
 */
export class RecordConsumer {
  private readonly validate: (raw: RawRow) => ReturnType<ReturnType<typeof createRowValidator>>;
  readonly packing: PackedMapping | null;
  private readonly builder: BatchBuilder;
  private rejects: SourceReject[] = [];
  private inFlight = 0;
  private wake: (() => void) | null = null;
  records = 0;
  bytesRead = 0;
  stopped = false;

  constructor(
    private readonly job: ParseJob,
    private readonly post: (message: ParserMessage) => void,
  ) {
    // CSV rows carry one column per feature and per class: the reader packs them into arrays.
    this.packing = job.format === 'csv' ? packColumns(job.mapping) : null;
    this.validate = createRowValidator(this.packing?.mapping ?? job.mapping, job.projectClasses);
    const dim = job.mapping.features
      ? job.mapping.features.kind === 'vector'
        ? job.mapping.features.dim
        : job.mapping.features.fields.length
      : 0;
    this.builder = new BatchBuilder(job.batchRows, scoreWidth(job.mapping.taskType, job.projectClasses.length), dim);
    this.records = job.skipRecords;
  }

  /** One source record (already counted by the reader as `row`). */
  record(raw: RawRow, row: number, line: number | null, rawText: () => string): void {
    this.records = row;
    const result = this.validate(raw);
    if (result.ok) {
      this.builder.add(result.row, row);
      if (this.builder.full) this.flush();
    } else {
      const field = this.packing ? this.packing.sourceField(result.problem.field) : result.problem.field;
      this.reject(row, line, field, result.problem.reason, rawText());
    }
  }

  reject(row: number, line: number | null, field: string, reason: string, rawText: string): void {
    this.records = row;
    this.rejects.push({ row, line, field, reason, raw: rawText.slice(0, RAW_EXCERPT_CHARS) });
    // A file of nothing but bad rows must not pile rejects up in memory.
    if (this.rejects.length >= this.job.batchRows) this.flush();
  }

  private flush(): void {
    const batch = this.builder.take();
    this.post({ type: 'batch', batch, recordsEnd: this.records, rejects: this.rejects, bytesRead: this.bytesRead });
    this.rejects = [];
    this.inFlight++;
  }

  /** Called when the host has committed a batch. */
  ack(): void {
    this.inFlight--;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.ack();
  }

  /** Awaited by readers between chunks: waits while too many batches are uncommitted. */
  async drain(): Promise<void> {
    while (this.inFlight >= this.job.maxInFlight && !this.stopped) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  finish(): void {
    if (this.builder.size > 0 || this.rejects.length > 0) this.flush();
    this.post({ type: 'end', records: this.records, bytesRead: this.bytesRead });
  }
}
