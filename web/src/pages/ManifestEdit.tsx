import { A, useNavigate, useParams } from '@solidjs/router';
import { createEffect, createMemo, createResource, createSignal, Show } from 'solid-js';
import type { manifestActions } from '../../../contracts/manifest.ts';
import { ApiError } from '../api/client.ts';
import { getManifest, putManifest, startManifestRun } from '../api/manifests.ts';
import { Checkpoints } from '../components/manifests/Checkpoints.tsx';
import { ManifestSearch } from '../components/manifests/ManifestSearch.tsx';
import { PlanPreview } from '../components/manifests/PlanPreview.tsx';
import { YamlEditor } from '../components/manifests/YamlEditor.tsx';
import { errorMessage } from '../lib/format.ts';
import {
  checkManifestText,
  declaredName,
  issuesOnLines,
  type LineIssue,
  manifestTemplate,
} from '../lib/manifest-editor.ts';
import { canMutate } from '../lib/session.ts';

/**
 * `/tasks/manifests/new` and `/tasks/manifests/:name`: the YAML with its issues on their lines (checked as
 * typed with the contract's schema; the API's 400 issues after Save), Save, Plan (its figures when done),
 * Run, the checkpoints per data source and a search box over the index.
 */
export function ManifestEdit() {
  const params = useParams<{ name?: string }>();
  return (
    <Show when={params.name ?? 'new'} keyed>
      {(name) => <ManifestEditFor name={name === 'new' ? null : name} />}
    </Show>
  );
}

function ManifestEditFor(props: { name: string | null }) {
  const navigate = useNavigate();
  const [record, { refetch }] = createResource(() => props.name, getManifest);
  const [content, setContent] = createSignal(props.name ? '' : manifestTemplate(''));
  // Loaded text fills the editor once; a poll or refetch never overwrites what the user is typing.
  let filled = false;
  createEffect(() => {
    const r = record();
    if (r && !filled) {
      filled = true;
      setContent(r.content);
    }
  });
  const clientIssues = createMemo(() => checkManifestText(content()));
  const [serverIssues, setServerIssues] = createSignal<{ text: string; issues: LineIssue[] } | null>(null);
  // Server issues belong to the text that was sent: shown only while it is unchanged.
  const issues = () => {
    const s = serverIssues();
    return s && s.text === content() ? [...s.issues, ...clientIssues()] : clientIssues();
  };
  const [message, setMessage] = createSignal<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [planJob, setPlanJob] = createSignal<string | null>(null);
  const [runJob, setRunJob] = createSignal<string | null>(null);
  const saved = () => record()?.content === content();
  const name = () => props.name ?? declaredName(content());

  const save = async () => {
    const n = name();
    setMessage(null);
    setServerIssues(null);
    if (!n)
      return setMessage({ kind: 'error', text: 'The manifest needs metadata.name before it can be saved.' });
    const text = content();
    setBusy(true);
    try {
      const r = await putManifest(n, text);
      setMessage({ kind: 'ok', text: `Saved revision ${r.revision}.` });
      if (!props.name) navigate(`/tasks/manifests/${encodeURIComponent(n)}`);
      else await refetch();
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) {
        setServerIssues({ text, issues: issuesOnLines(text, e.issues) });
        setMessage({ kind: 'error', text: 'The server refused the manifest: see the marked lines.' });
      } else setMessage({ kind: 'error', text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const start = async (action: (typeof manifestActions)[number]) => {
    const n = props.name;
    if (!n) return;
    setMessage(null);
    setBusy(true);
    try {
      const job = await startManifestRun(n, action);
      if (action === 'plan') setPlanJob(job.id);
      else setRunJob(job.id);
    } catch (e) {
      setMessage({ kind: 'error', text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="manifest-edit">
      <div class="page-head">
        <h1>{props.name ?? 'New manifest'}</h1>
        <A href="/tasks/manifests" class="muted">
          Back to manifests
        </A>
      </div>
      <Show when={record.error}>
        <p class="form-error" role="alert" data-testid="manifest-load-error">
          {record.error instanceof ApiError && record.error.status === 404
            ? 'No manifest with this name.'
            : `Could not load the manifest: ${errorMessage(record.error)}`}
        </p>
      </Show>
      <Show when={record()}>
        {(r) => (
          <p class="muted" data-testid="manifest-revision">
            Revision {r().revision} · <span class="mono">{r().hash.slice(0, 12)}</span>
            <Show when={r().lastRun}>
              {(l) => (
                <>
                  {' '}
                  · <A href={`/tasks/queue/${l().jobId}`}>last run</A> {l().status ?? ''}
                </>
              )}
            </Show>
          </p>
        )}
      </Show>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        data-testid="manifest-form"
      >
        <label for="manifest-yaml">Manifest (YAML, v0)</label>
        <YamlEditor
          id="manifest-yaml"
          value={content()}
          issues={issues()}
          onInput={setContent}
          readOnly={!canMutate()}
        />
        <Show when={message()}>
          {(m) => (
            <p
              class={m().kind === 'error' ? 'form-error' : 'notice'}
              role={m().kind === 'error' ? 'alert' : 'status'}
              data-testid="manifest-message"
            >
              {m().text}
            </p>
          )}
        </Show>
        <div class="actions">
          <button type="submit" disabled={busy() || !canMutate()} data-testid="manifest-save">
            Save
          </button>
          <Show when={props.name}>
            <button
              type="button"
              class="secondary"
              disabled={busy() || !canMutate() || !saved()}
              title={saved() ? undefined : 'Save first: plans and runs use the saved revision'}
              onClick={() => start('plan')}
              data-testid="manifest-plan-button"
            >
              Plan
            </button>
            <button
              type="button"
              class="secondary"
              disabled={busy() || !canMutate() || !saved()}
              title={saved() ? undefined : 'Save first: plans and runs use the saved revision'}
              onClick={() => start('run')}
              data-testid="manifest-run-button"
            >
              Run
            </button>
          </Show>
        </div>
      </form>
      <Show when={runJob()}>
        {(id) => (
          <p class="notice" role="status" data-testid="manifest-run-started">
            Run started: <A href={`/tasks/queue/${id()}`}>follow it</A>.
          </p>
        )}
      </Show>
      <Show when={planJob()} keyed>
        {(id) => <PlanPreview jobId={id} />}
      </Show>
      <Show when={props.name && record()}>
        <div class="detail-grid">
          <Checkpoints checkpoints={record()?.checkpoints ?? []} />
          <ManifestSearch name={props.name ?? ''} />
        </div>
      </Show>
    </section>
  );
}
