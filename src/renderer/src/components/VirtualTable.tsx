import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert } from './Alert';

const PAGE = 200;
const OVERSCAN = 8;

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
  const [scrollTop, setScrollTop] = useState(0);
  const [pages, setPages] = useState<Map<number, T[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(new Set<number>());
  const fetcher = useRef(fetchRows);
  fetcher.current = fetchRows;

  useEffect(() => {
    asked.current = new Set();
    setPages(new Map());
    setError(null);
  }, [version]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(rowCount, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  useEffect(() => {
    for (let p = Math.floor(first / PAGE); p * PAGE < last; p++) {
      if (asked.current.has(p)) continue;
      asked.current.add(p);
      const mine = asked.current;
      fetcher.current(p * PAGE, PAGE).then(
        (rows) => {
          if (asked.current === mine) setPages((old) => new Map(old).set(p, rows));
        },
        (e: Error) => {
          // Asked again when the view next reaches it.
          mine.delete(p);
          if (asked.current === mine) setError(e.message);
        },
      );
    }
  }, [first, last, pages]);

  const visible: { index: number; row: T | undefined }[] = [];
  for (let i = first; i < last; i++) visible.push({ index: i, row: pages.get(Math.floor(i / PAGE))?.[i % PAGE] });
  return (
    <>
      <Alert message={error && `${label}: ${error}`} />
      <div
        className="virtual"
        style={{ maxHeight: height }}
        role="region"
        aria-label={label}
        tabIndex={0}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
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
