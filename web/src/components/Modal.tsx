import { createEffect, type JSX } from 'solid-js';

/**
 * A modal on the native <dialog>: focus trapped inside, Escape closes it, focus goes back to the control
 * that opened it. The content brings its own buttons.
 */
export function Modal(props: {
  open: boolean;
  title: string;
  testid: string;
  onClose: () => void;
  wide?: boolean;
  children: JSX.Element;
}) {
  let dialog!: HTMLDialogElement;
  let opener: Element | null = null;
  createEffect(() => {
    if (props.open && !dialog.open) {
      opener = document.activeElement;
      dialog.showModal();
    } else if (!props.open && dialog.open) dialog.close();
  });
  const titleId = `${props.testid}-title`;
  return (
    <dialog
      ref={dialog}
      classList={{ wide: props.wide }}
      onClose={() => {
        (opener as HTMLElement | null)?.focus?.();
        props.onClose();
      }}
      aria-labelledby={titleId}
      data-testid={props.testid}
    >
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}
