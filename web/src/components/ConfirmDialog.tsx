import { createEffect, type JSX } from 'solid-js';

/**
 * A modal confirmation on the native <dialog>: it traps focus, closes on Escape and gives focus back to
 * the button that opened it.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  children?: JSX.Element;
}) {
  let dialog!: HTMLDialogElement;
  let opener: Element | null = null;
  createEffect(() => {
    if (props.open && !dialog.open) {
      opener = document.activeElement;
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  });
  const closed = () => {
    (opener as HTMLElement | null)?.focus?.();
    props.onClose();
  };
  return (
    <dialog ref={dialog} onClose={closed} aria-labelledby="confirm-title" data-testid="confirm-dialog">
      <h2 id="confirm-title">{props.title}</h2>
      {props.children}
      <div class="dialog-actions">
        <button
          type="button"
          class="secondary"
          onClick={() => dialog.close()}
          autofocus
          data-testid="confirm-no"
        >
          Keep running
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            props.onConfirm();
            dialog.close();
          }}
          data-testid="confirm-yes"
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
