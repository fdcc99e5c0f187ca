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
  /** Set by the source stream once it has read the whole file. */
  sha256: string | undefined;
  stopped = false;
  private segment = -1;

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

  private ownsSegment(segment: number): boolean {
    return segment % this.job.shardCount === this.job.shardIndex;
  }

  /**
   * Readers call this for every record number past the skipped ones, before any parsing:
   * false means another parser handles it. Moving into a new segment sends the last one.
   */
  visit(row: number): boolean {
    const segment = Math.floor((row - 1) / this.job.batchRows);
    if (segment !== this.segment) {
      if (this.segment >= 0 && this.ownsSegment(this.segment))
        this.flush(this.segment, (this.segment + 1) * this.job.batchRows, true);
      this.segment = segment;
    }
    this.records = row;
    return this.ownsSegment(segment);
  }

  /** One source record of this parser's segments (after `visit`). */
  record(raw: RawRow, row: number, line: number | null, rawText: () => string): void {
    const result = this.validate(raw);
    if (result.ok) {
      this.builder.add(result.row, row);
      // Long documents (tens of KB a row) would make a batch of `batchRows` rows hundreds of MB,
      // with several in flight: such a batch goes before its segment ends.
      if (this.builder.bytes >= this.job.batchBytes) this.flush(this.segment, row, false);
    } else {
      const field = this.packing ? this.packing.sourceField(result.problem.field) : result.problem.field;
      this.reject(row, line, field, result.problem.reason, rawText());
    }
  }

  /** A refused record of this parser's segments (after `visit`); at most a segment's worth are held. */
  reject(row: number, line: number | null, field: string, reason: string, rawText: string): void {
    this.rejects.push({ row, line, field, reason, raw: rawText.slice(0, RAW_EXCERPT_CHARS) });
  }

  private flush(segment: number, recordsEnd: number, last: boolean): void {
    const batch = this.builder.take();
    this.post({ type: 'batch', segment, last, batch, recordsEnd, rejects: this.rejects, bytesRead: this.bytesRead });
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

  /** Too many batches are uncommitted: a reader that can pause mid-chunk should `drain()` now. */
  get congested(): boolean {
    return this.inFlight >= this.job.maxInFlight && !this.stopped;
  }

  /** Awaited by readers between chunks: waits while too many batches are uncommitted. */
  async drain(): Promise<void> {
    while (this.congested) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  finish(): void {
    if (this.segment >= 0 && this.ownsSegment(this.segment)) this.flush(this.segment, this.records, true);
    this.post({
      type: 'end',
      records: this.records,
      bytesRead: this.bytesRead,
      ...(this.sha256 ? { sha256: this.sha256 } : {}),
    });
  }
}
