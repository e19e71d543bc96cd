import { A, type RouteSectionProps, useNavigate } from '@solidjs/router';
import { Show } from 'solid-js';
import { signOut } from '../api/auth.ts';
import { session, setSession } from '../lib/session.ts';
import { ApiBanner } from './ApiBanner.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

/** Page frame: navigation (only the pages that exist), the signed-in user, theme toggle, API banner. */
export function Layout(props: RouteSectionProps) {
  const navigate = useNavigate();
  const onSignOut = async () => {
    await signOut().catch(() => undefined);
    setSession(null);
    navigate('/sign-in', { replace: true });
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <A href="/tasks" class="brand" end>
          MoonMind
        </A>
        <Show when={session()}>
          <nav aria-label="Main" class="nav">
            <A href="/tasks" end>
              Active
            </A>
            <A href="/tasks/queue" end>
              Queue
            </A>
            <A href="/tasks/queue/new" end data-testid="nav-new-task">
              New task
            </A>
            <A href="/tasks/presets" data-testid="nav-presets">
              Presets
            </A>
            <A href="/tasks/proposals" data-testid="nav-proposals">
              Proposals
            </A>
            <A href="/tasks/schedules" data-testid="nav-schedules">
              Schedules
            </A>
            <A href="/tasks/orchestrator" data-testid="nav-orchestrator">
              Orchestrator
            </A>
            <A href="/tasks/manifests" data-testid="nav-manifests">
              Manifests
            </A>
          </nav>
        </Show>
        <div class="topbar-end">
          <ThemeToggle />
          <Show when={session()}>
            {(s) => (
              <>
                <span class="user" data-testid="current-user">
                  {s().user.name} <span class="muted">({s().user.role})</span>
                </span>
                <button type="button" class="secondary" onClick={onSignOut} data-testid="sign-out">
                  Sign out
                </button>
              </>
            )}
          </Show>
        </div>
      </header>
      <ApiBanner />
      <main id="main">{props.children}</main>
    </>
  );
}
