import * as Tooltip from '@radix-ui/react-tooltip';
import type { ReactElement, ReactNode } from 'react';

/** Once around the app: how long a pointer rests before a tip shows. */
export function TipProvider({ children }: { children: ReactNode }) {
  return <Tooltip.Provider delayDuration={300}>{children}</Tooltip.Provider>;
}

/**
 * A hint on a focusable element, shown on hover and on keyboard focus (a `title` shows on hover only)
 * and given to screen readers as the element's description.
 */
export function Tip({ content, children }: { content: ReactNode; children: ReactElement }) {
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>{children}</Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className="tip" sideOffset={4} collisionPadding={8}>
          {content}
          <Tooltip.Arrow className="tip-arrow" />
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
}

/** Text with a hint: it takes the keyboard focus so the hint can be reached without a mouse. */
export function TipText({ tip, className, children }: { tip: ReactNode; className?: string; children: ReactNode }) {
  return (
    <Tip content={tip}>
      <span className={className ? `tip-text ${className}` : 'tip-text'} tabIndex={0}>
        {children}
      </span>
    </Tip>
  );
}

/**
 * A field (its label wrapping its control) with a small (i) button at its top right whose tip is the
 * hint too long for the label. The button sits outside the label, which keeps naming its control.
 */
export function HintedField({ about, hint, children }: { about: string; hint: ReactNode; children: ReactElement }) {
  return (
    <div className="hinted">
      {children}
      <Tip content={hint}>
        <button type="button" className="info-tip" aria-label={`About ${about}`}>
          <span aria-hidden="true">i</span>
        </button>
      </Tip>
    </div>
  );
}
