import { FileSink } from '../file-sink';
import { footer, MAGIC, type RowGroupInfo, type SchemaNode } from './parquet-format';

/** A Parquet file written row group by row group: the footer collects where each one went. */
export class ParquetSink {
  readonly file: FileSink;
  private readonly rowGroups: RowGroupInfo[] = [];

  constructor(
    path: string,
    private readonly schema: SchemaNode[],
    private readonly createdBy: string,
  ) {
    this.file = new FileSink(path);
    this.file.writeBytes(MAGIC);
  }

  /** Row groups a worker encoded, with offsets counted from the first of `bytes`. */
  append(bytes: Uint8Array, rowGroups: RowGroupInfo[], rows: number): void {
    const base = this.file.position;
    for (const g of rowGroups)
      this.rowGroups.push({ ...g, columns: g.columns.map((c) => ({ ...c, offset: c.offset + base })) });
    this.file.writeBytes(bytes);
    this.file.rows += rows;
  }

  /** Writes the footer; the caller then settles and closes `file`. */
  finish(): void {
    this.file.writeBytes(footer(this.schema, this.rowGroups, this.createdBy));
  }
}
