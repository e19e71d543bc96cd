import { formatTime, relativeTime } from '../lib/format.ts';

/** A moment as "3 min ago", the exact time on hover and for machines (`datetime`). */
export function Ago(props: { at: string | null | undefined }) {
  return (
    <time datetime={props.at ?? ''} title={formatTime(props.at)}>
      {relativeTime(props.at)}
    </time>
  );
}
