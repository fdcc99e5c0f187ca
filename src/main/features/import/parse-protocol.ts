import type { ImportMapping } from '../../../shared/features/import/mapping';
import type { RowBatch, SourceReject } from './batch';

export type Compression = 'none' | 'gzip';
export type Format = 'jsonl' | 'csv' | 'parquet';

/** Everything a parser needs; it has no database and no other state. */
export interface ParseJob {
  path: string;
  format: Format;
  compression: Compression;
  mapping: ImportMapping;
  projectClasses: string[];
  /** Records already committed by an earlier attempt of this import. */
  skipRecords: number;
  maxLineBytes: number;
  maxDecompressedBytes: number;
  /** Gzip data expanding more than this many times (past a floor) is refused as a bomb. */
  maxGzipRatio: number;
  batchRows: number;
  /** A batch goes early, before its segment ends, once its rows take about this much memory. */
  batchBytes: number;
  /** Batches sent but not yet committed before the parser waits. */
  maxInFlight: number;
  /**
   * Parsers share a file by segments of `batchRows` records: parser i takes segments
   * i, i + count, i + 2·count… and the host writes the segments back in order.
   */
  shardIndex: number;
  shardCount: number;
  /**
   * The Parquet reader process leaves each batch here as a file and sends its name: through the
   * IPC pipe a batch moves a socket buffer at a time, only while both event loops are free.
   */
  spoolDir?: string;
}

export type ParserMessage =
  /**
   * Rows of a segment, up to record `recordsEnd`. A segment of long rows comes in several
   * batches, so a batch stays small in memory: `last` marks the one that ends the segment.
   */
  | {
      type: 'batch';
      segment: number;
      last: boolean;
      batch: RowBatch;
      recordsEnd: number;
      rejects: SourceReject[];
      bytesRead: number;
    }
  /** `sha256`: of the file's bytes as read (shard 0 of JSONL and CSV), so the host need not read it again. */
  | { type: 'end'; records: number; bytesRead: number; sha256?: string }
  | { type: 'fatal'; code: 'bad-file' | 'bad-mapping' | 'internal'; message: string };

/** A batch the reader process left in the spool folder, serialized (node:v8), for the host to read and delete. */
export type SpooledMessage = { type: 'spooled'; file: string };

export type HostMessage = { type: 'ack' } | { type: 'stop' };
