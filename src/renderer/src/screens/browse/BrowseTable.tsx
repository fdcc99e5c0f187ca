import { FlexRender, tableFeatures, useTable, type ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import type { BrowseRow } from '../../../../shared/features/browse/contract';
import { Alert } from '../../components/Alert';
import { usePagedWindow } from '../../hooks/usePagedWindow';

const ROW_HEIGHT = 34;
const HEIGHT = 520;

const features = tableFeatures({});
export type BrowseColumn = ColumnDef<typeof features, Slot>;

/** A row of the window: the example once its page has arrived, until then a placeholder. */
export interface Slot {
  index: number;
  row: BrowseRow | undefined;
}

/**
 * The data browser's table: TanStack Table lays out the columns and cells of the rows in view;
 * the rows themselves are fetched from the server a page at a time as the view reaches them, so
 * a million examples scroll like a hundred.
 */
export function BrowseTable({
  total,
  version,
  columns,
  classNames,
  sorted,
  fetchRows,
  selected,
  onOpen,
}: {
  total: number;
  version: string;
  columns: BrowseColumn[];
  /** A cell's class name by column id (numbers right-aligned, ids in a monospace face). */
  classNames: Record<string, string>;
  /** The column the rows are sorted by, for screen readers. */
  sorted: { column: string; direction: 'asc' | 'desc' } | null;
  fetchRows: (offset: number, limit: number) => Promise<BrowseRow[]>;
  selected: string | null;
  onOpen: (row: BrowseRow) => void;
}) {
  const { first, last, rowAt, error, scroller, onScroll, pages } = usePagedWindow({
    total,
    version,
    fetchRows,
    rowHeight: ROW_HEIGHT,
    height: HEIGHT,
  });

  const data = useMemo(() => {
    const slots: Slot[] = [];
    for (let i = first; i < last; i++) slots.push({ index: i, row: rowAt(i) });
    return slots;
  }, [first, last, pages]);
  const table = useTable({ features, columns, data });

  return (
    <>
      <Alert message={error && `Examples: ${error}`} />
      <div
        ref={scroller}
        className="virtual browse-table"
        style={{ maxHeight: HEIGHT }}
        role="region"
        aria-label="Examples"
        tabIndex={0}
        onScroll={onScroll}
      >
        <table className="table" aria-rowcount={total + 1}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th
                    key={header.id}
                    scope="col"
                    className={classNames[header.column.id]}
                    aria-sort={
                      sorted?.column === header.column.id
                        ? sorted.direction === 'asc'
                          ? 'ascending'
                          : 'descending'
                        : undefined
                    }
                  >
                    <FlexRender header={header} />
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {first > 0 && <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }} />}
            {table.getRowModel().rows.map((r) => {
              const slot = r.original;
              const row = slot.row;
              return (
                <tr
                  key={slot.index}
                  style={{ height: ROW_HEIGHT }}
                  aria-rowindex={slot.index + 2}
                  aria-current={row !== undefined && row.externalId === selected ? 'true' : undefined}
                  className={row !== undefined && row.externalId === selected ? 'selected' : undefined}
                  onClick={() => row && onOpen(row)}
                >
                  {r.getAllCells().map((cell) => (
                    <td key={cell.id} className={classNames[cell.column.id]}>
                      {row === undefined ? '…' : <FlexRender cell={cell} />}
                    </td>
                  ))}
                </tr>
              );
            })}
            {last < total && <tr aria-hidden="true" style={{ height: (total - last) * ROW_HEIGHT }} />}
          </tbody>
        </table>
      </div>
    </>
  );
}
