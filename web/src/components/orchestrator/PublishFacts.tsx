import { Show } from 'solid-js';
import type { OrchestratorRunState } from '../../../../contracts/orchestrator-run.ts';

type Published = Pick<OrchestratorRunState, 'publishMode' | 'branch' | 'prUrl' | 'publishError' | 'status'>;

/**
 * Where a verified fix went (the run's facts list): the branch it was pushed to and its pull request, or why
 * publishing failed (the run still succeeded: the fix is live). Nothing for runs that do not publish.
 */
export function PublishFacts(props: { run: Published }) {
  return (
    <Show when={props.run.publishMode !== 'none'}>
      <dt>Publish</dt>
      <dd data-testid="publish-result">
        <Show
          when={props.run.branch || props.run.publishError}
          fallback={<span class="muted">{props.run.publishMode} once the fix is verified</span>}
        >
          <Show when={props.run.branch}>
            <span class="mono" data-testid="publish-branch">
              {props.run.branch}
            </span>
          </Show>
          <Show when={props.run.prUrl}>
            {(url) => (
              <>
                {' · '}
                <a href={url()} target="_blank" rel="noreferrer" data-testid="publish-pr">
                  pull request
                </a>
              </>
            )}
          </Show>
          <Show when={props.run.publishError}>
            <span class="job-error wrap" data-testid="publish-error">
              publish failed: {props.run.publishError}
            </span>
          </Show>
        </Show>
      </dd>
    </Show>
  );
}
