import { For, Match, Switch } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { type Block, type Inline, parseMarkdown } from '../lib/markdown.ts';

/**
 * Untrusted Markdown as DOM: every piece of text is a text node (never `innerHTML`), links only with the
 * targets `safeHref` lets through. Headings start at `h3` so a summary cannot outrank the page's own.
 */
export function Markdown(props: { source: string; testid?: string }) {
  return (
    <div class="markdown" data-testid={props.testid ?? 'markdown'}>
      <For each={parseMarkdown(props.source)}>{(block) => <BlockView block={block} />}</For>
    </div>
  );
}

function BlockView(props: { block: Block }) {
  const b = props.block;
  return (
    <Switch>
      <Match when={b.t === 'heading' && b}>
        {(h) => (
          <Dynamic component={`h${Math.min(6, h().level + 2)}`}>
            <Inlines list={h().children} />
          </Dynamic>
        )}
      </Match>
      <Match when={b.t === 'paragraph' && b}>
        {(p) => (
          <p>
            <Inlines list={p().children} />
          </p>
        )}
      </Match>
      <Match when={b.t === 'list' && b}>
        {(l) => (
          <Dynamic
            component={l().ordered ? 'ol' : 'ul'}
            start={l().ordered && l().start !== 1 ? l().start : undefined}
          >
            <For each={l().items}>
              {(item) => (
                <li>
                  <Inlines list={item} />
                </li>
              )}
            </For>
          </Dynamic>
        )}
      </Match>
      <Match when={b.t === 'code' && b}>
        {(c) => (
          <pre class="step-text">
            <code>{c().text}</code>
          </pre>
        )}
      </Match>
      <Match when={b.t === 'quote' && b}>
        {(q) => (
          <blockquote>
            <Inlines list={q().children} />
          </blockquote>
        )}
      </Match>
      <Match when={b.t === 'rule'}>
        <hr />
      </Match>
    </Switch>
  );
}

function Inlines(props: { list: Inline[] }) {
  return <For each={props.list}>{(node) => <InlineView node={node} />}</For>;
}

function InlineView(props: { node: Inline }) {
  const n = props.node;
  switch (n.t) {
    case 'text':
      return <>{n.text}</>;
    case 'code':
      return <code>{n.text}</code>;
    case 'strong':
      return (
        <strong>
          <Inlines list={n.children} />
        </strong>
      );
    case 'em':
      return (
        <em>
          <Inlines list={n.children} />
        </em>
      );
    case 'link': {
      const external = !n.href.startsWith('/') && !n.href.startsWith('#');
      return (
        <a
          href={n.href}
          rel={external ? 'noopener noreferrer nofollow' : undefined}
          target={external ? '_blank' : undefined}
        >
          <Inlines list={n.children} />
        </a>
      );
    }
  }
}
