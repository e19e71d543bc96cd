import { For } from 'solid-js';

/**
 * A long name (an artifact path) that may wrap after `/ . _ -` and nowhere else: no break inside a word.
 * The text reads and copies as it is (<wbr> adds no character).
 */
export function Separated(props: { text: string }) {
  const parts = () => props.text.split(/(?<=[/._-])/);
  return (
    <For each={parts()}>
      {(part, i) => (
        <>
          {i() > 0 && <wbr />}
          {part}
        </>
      )}
    </For>
  );
}
