import type { JSX } from 'solid-js';
import { Modal } from './Modal.tsx';

/** A confirmation in a Modal: "Keep running" (or `cancelLabel`, focused first) or the confirming action. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onClose: () => void;
  children?: JSX.Element;
}) {
  return (
    <Modal open={props.open} title={props.title} testid="confirm-dialog" onClose={props.onClose}>
      {props.children}
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={props.onClose} autofocus data-testid="confirm-no">
          {props.cancelLabel ?? 'Keep running'}
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
          data-testid="confirm-yes"
        >
          {props.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
