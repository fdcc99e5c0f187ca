import type { ReactNode } from 'react';
import { usePagedWindow } from '../hooks/usePagedWindow';
import { Alert } from './Alert';

export interface Column<T> {
  header: string;
  className?: string;
  cell: (row: T) => ReactNode;
}

/**
 * A table of any length: only the rows in view (and a few around them) are in the DOM, and rows
 * are fetched a page at a time as the view reaches them. `version` changes drop fetched pages.
 */
export function VirtualTable<T>({
  label,
  rowCount,
  fetchRows,
  columns,
  version,
  rowHeight = 34,
  height = 420,
}: {
  label: string;
  rowCount: number;
  fetchRows: (offset: number, limit: number) => Promise<T[]>;
  columns: Column<T>[];
  version: unknown;
  rowHeight?: number;
  height?: number;
}) {
  const { first, last, rowAt, error, scroller, onScroll } = usePagedWindow({
    total: rowCount,
    version,
    fetchRows,
    rowHeight,
    height,
  });
  const visible: { index: number; row: T | undefined }[] = [];
  for (let i = first; i < last; i++) visible.push({ index: i, row: rowAt(i) });
  return (
    <>
      <Alert message={error && `${label}: ${error}`} />
      <div
        className="virtual"
        style={{ maxHeight: height }}
        role="region"
        aria-label={label}
        tabIndex={0}
        ref={scroller}
        onScroll={onScroll}
      >
        <table className="table" aria-rowcount={rowCount + 1}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.header} scope="col" className={c.className}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {first > 0 && <tr aria-hidden="true" style={{ height: first * rowHeight }} />}
            {visible.map(({ index, row }) => (
              <tr key={index} style={{ height: rowHeight }} aria-rowindex={index + 2}>
                {columns.map((c) => (
                  <td key={c.header} className={c.className}>
                    {row === undefined ? '…' : c.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
            {last < rowCount && <tr aria-hidden="true" style={{ height: (rowCount - last) * rowHeight }} />}
          </tbody>
        </table>
      </div>
    </>
  );
}
