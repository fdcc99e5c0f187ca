import type { ReactNode } from 'react';

/**
 * Ordinary emptiness (nothing imported, nothing exported yet): said in a neutral panel with the next
 * step, never as an error.
 */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <section className="empty-state" aria-label={title}>
      <h2>{title}</h2>
      {children && <div className="muted">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </section>
  );
}
