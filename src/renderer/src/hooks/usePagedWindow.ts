import { useEffect, useRef, useState } from 'react';

const PAGE = 200;
const OVERSCAN = 8;

/**
 * The rows of a long list that are in view (and a few around them), fetched a page at a time as
 * the view reaches them. `version` changes drop fetched pages and scroll back to the top.
 */
export function usePagedWindow<T>({
  total,
  version,
  fetchRows,
  rowHeight,
  height,
}: {
  total: number;
  version: unknown;
  fetchRows: (offset: number, limit: number) => Promise<T[]>;
  rowHeight: number;
  height: number;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const [pages, setPages] = useState<Map<number, T[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const asked = useRef(new Set<number>());
  const fetcher = useRef(fetchRows);
  fetcher.current = fetchRows;
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    asked.current = new Set();
    setPages(new Map());
    setError(null);
    setScrollTop(0);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [version]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
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

  const rowAt = (i: number): T | undefined => pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  const onScroll = (e: { currentTarget: HTMLElement }) => setScrollTop(e.currentTarget.scrollTop);
  return { first, last, rowAt, error, scroller, onScroll, pages };
}
