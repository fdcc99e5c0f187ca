import { useRef } from 'react';

/**
 * Keeps only the newest answer: `take()` numbers a request; `stale()` invalidates those in flight
 * (the options they were asked with changed); `current(n)` says whether an answer still counts.
 */
export function useLatestOnly() {
  const last = useRef(0);
  return {
    take: () => ++last.current,
    stale: () => void ++last.current,
    current: (n: number) => n === last.current,
  };
}
