import { For, Show } from 'solid-js';
import { splitAround } from '../lib/events.ts';

/** Text with every occurrence of the search term in a <mark>. */
export function Marked(props: { text: string; term: string }) {
  return (
    <Show
      when={props.term && props.text.toLowerCase().includes(props.term.toLowerCase())}
      fallback={props.text}
    >
      <For each={splitAround(props.text, props.term)}>
        {(part, i) => (i() % 2 ? <mark class="log-mark">{part}</mark> : part)}
      </For>
    </Show>
  );
}
