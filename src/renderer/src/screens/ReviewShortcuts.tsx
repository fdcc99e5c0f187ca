import * as Dialog from '@radix-ui/react-dialog';
import { memo } from 'react';
import { focusCard, toggleHelp, useReview } from '../store/review';

const KEYS: [string, string][] = [
  ['1–9', 'label (the schema’s hotkeys); multilabel: toggle, then Enter'],
  ['a', 'accept the newest model’s label'],
  ['x', 'reject the newest model’s label'],
  ['Space', 'skip'],
  ['f', 'flag for a second look'],
  ['c', 'comment'],
  ['z or Backspace', 'undo the last decision'],
  ['?', 'this help'],
];

/**
 * The `?` overlay: a modal dialog (focus kept inside, Escape or a click outside closes it, the card
 * takes the focus back). Memoised with no props, so moving to the next item never renders it.
 */
export const ReviewShortcuts = memo(function ReviewShortcuts() {
  const open = useReview((s) => s.help);
  return (
    <Dialog.Root open={open} onOpenChange={(show) => toggleHelp(show)}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content
          className="overlay-body dialog"
          onCloseAutoFocus={(e) => {
            e.preventDefault();
            focusCard();
          }}
        >
          <Dialog.Title>Keyboard shortcuts</Dialog.Title>
          <Dialog.Description className="muted small">
            Keys work while the card has the focus; Escape or ? closes this.
          </Dialog.Description>
          <dl>
            {KEYS.map(([k, what]) => (
              <div key={k}>
                <dt>
                  <kbd>{k}</kbd>
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
          <Dialog.Close className="dialog-close">Close</Dialog.Close>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
});
