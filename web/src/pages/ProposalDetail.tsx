import { A, useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import type { Proposal } from '../../../contracts/proposals.ts';
import { ApiError } from '../api/client.ts';
import { getProposal, ProposalConflict, promoteProposal } from '../api/proposals.ts';
import { Markdown } from '../components/Markdown.tsx';
import { DecisionPanel } from '../components/proposals/DecisionPanel.tsx';
import { EditPromote } from '../components/proposals/EditPromote.tsx';
import { OriginLink } from '../components/proposals/OriginLink.tsx';
import { ProposalBadge } from '../components/proposals/ProposalBadge.tsx';
import { ProposalHistory } from '../components/proposals/ProposalHistory.tsx';
import { SimilarList } from '../components/proposals/SimilarList.tsx';
import { TaskPreview } from '../components/proposals/TaskPreview.tsx';
import { TriagePanel } from '../components/proposals/TriagePanel.tsx';
import { errorMessage, formatTime } from '../lib/format.ts';
import { statusLabels } from '../lib/proposal-filters.ts';
import { canMutate } from '../lib/session.ts';

/** One proposal: summary, task preview, origin, similar, history; promote (as is or edited), decide, triage. */
export function ProposalDetail() {
  const params = useParams<{ proposalId: string }>();
  return (
    <Show when={params.proposalId} keyed>
      {(id) => <ProposalDetailFor id={id} />}
    </Show>
  );
}

function ProposalDetailFor(props: { id: string }) {
  const navigate = useNavigate();
  const [proposal, { refetch }] = createResource(() => props.id, getProposal);
  const [busy, setBusy] = createSignal(false);
  const [editing, setEditing] = createSignal(false);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [conflict, setConflict] = createSignal<{ message: string; current: Proposal | null } | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const current = () => (proposal.error ? undefined : proposal());

  const failed = (e: unknown) => {
    if (e instanceof ProposalConflict) {
      setConflict({ message: e.message, current: e.current });
      void refetch();
    } else setError(errorMessage(e));
  };
  const act = async (label: string, fn: () => Promise<Proposal>) => {
    setBusy(true);
    setError(null);
    setConflict(null);
    setNotice(null);
    try {
      const p = await fn();
      setNotice(`${label}: done (${statusLabels[p.status] ?? p.status}).`);
      await refetch();
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  };
  const promote = async (p: Proposal) => {
    setBusy(true);
    setError(null);
    setConflict(null);
    try {
      const { jobId } = await promoteProposal(p.id, { expectedVersion: p.version });
      navigate(`/tasks/queue/${jobId}`);
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  };
  const notFound = () => proposal.error instanceof ApiError && proposal.error.status === 404;

  return (
    <section class="detail" data-testid="proposal-detail">
      <div class="page-head">
        <h1 class="wrap" data-testid="proposal-title">
          {current()?.title ?? 'Proposal'}
        </h1>
        <A href="/tasks/proposals" class="muted">
          Back to proposals
        </A>
      </div>
      <Show when={notFound()}>
        <p class="form-error" role="alert">
          No proposal with this id.
        </p>
      </Show>
      <Show when={proposal.error && !notFound()}>
        <p class="form-error" role="alert">
          Could not load the proposal: {errorMessage(proposal.error)}
        </p>
      </Show>
      <Show when={conflict()}>
        {(c) => (
          <p class="notice" role="alert" data-testid="proposal-conflict">
            Someone else changed this proposal first ({c().message}).{' '}
            <Show when={c().current}>
              {(now) => (
                <>
                  It is now <ProposalBadge status={now().status} />
                  {now().decidedByUserId ? ` by ${now().decidedByUserId}` : ''}
                  {now().decisionNote ? `: ${now().decisionNote}` : ''}.
                </>
              )}
            </Show>
          </p>
        )}
      </Show>
      <Show when={error()}>
        <p class="form-error" role="alert" data-testid="proposal-error">
          {error()}
        </p>
      </Show>
      <Show when={notice()}>
        <p class="muted" role="status" data-testid="proposal-notice">
          {notice()}
        </p>
      </Show>
      <Show when={current()} fallback={<div class="card placeholder" aria-busy="true" />}>
        {(p) => (
          <>
            <div class="detail-grid">
              <section class="card" data-testid="proposal-summary">
                <div class="summary-head">
                  <ProposalBadge status={p().status} />
                  <span class="tag">{p().category}</span>
                  <For each={p().tags}>{(t) => <span class="tag">{t}</span>}</For>
                </div>
                <dl class="facts">
                  <dt>Repository</dt>
                  <dd class="wrap">{p().repository}</dd>
                  <dt>Priority</dt>
                  <dd data-testid="proposal-priority">{p().priority}</dd>
                  <dt>Origin</dt>
                  <dd>
                    <OriginLink origin={p().origin} />
                  </dd>
                  <dt>Proposed by</dt>
                  <dd>{p().proposedByUserId ?? p().proposedByWorkerId ?? '—'}</dd>
                  <dt>Created</dt>
                  <dd>{formatTime(p().createdAt)}</dd>
                  <Show when={p().promotedJobId}>
                    {(jobId) => (
                      <>
                        <dt>Promoted to</dt>
                        <dd>
                          <A href={`/tasks/queue/${jobId()}`} class="mono" data-testid="promoted-job">
                            {jobId()}
                          </A>
                        </dd>
                      </>
                    )}
                  </Show>
                </dl>
                <Markdown source={p().summary} testid="proposal-markdown" />
              </section>
              <section class="card controls" data-testid="proposal-actions">
                <div class="control">
                  <h3>Promote</h3>
                  <div class="row">
                    <button
                      type="button"
                      disabled={
                        busy() || !canMutate() || (p().status !== 'open' && p().status !== 'promoted')
                      }
                      onClick={() => promote(p())}
                      data-testid="promote"
                    >
                      {p().status === 'promoted' ? 'Open its job' : 'Promote'}
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy() || !canMutate() || p().status !== 'open'}
                      onClick={() => setEditing(true)}
                      data-testid="edit-then-promote"
                    >
                      Edit, then promote…
                    </button>
                  </div>
                </div>
                <Show when={`${p().id}:${p().version}`} keyed>
                  <DecisionPanel proposal={p()} busy={busy()} act={act} />
                  <TriagePanel proposal={p()} busy={busy()} act={act} />
                </Show>
              </section>
            </div>
            <Show when={editing()}>
              <EditPromote
                proposal={p()}
                onPromoted={(jobId) => navigate(`/tasks/queue/${jobId}`)}
                onError={failed}
                onCancel={() => setEditing(false)}
              />
            </Show>
            <TaskPreview preview={p().preview} />
            <div class="detail-grid">
              <SimilarList similar={p().similar} />
              <ProposalHistory history={p().history} />
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
