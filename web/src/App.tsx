import { Navigate, Route, Router } from '@solidjs/router';
import { Layout } from './components/Layout.tsx';
import { RequireAuth } from './components/RequireAuth.tsx';
import { ActiveTasks } from './pages/ActiveTasks.tsx';
import { JobDetail } from './pages/JobDetail.tsx';
import { ManifestEdit } from './pages/ManifestEdit.tsx';
import { Manifests } from './pages/Manifests.tsx';
import { NewTask } from './pages/NewTask.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { OrchestratorNew } from './pages/OrchestratorNew.tsx';
import { OrchestratorRun } from './pages/OrchestratorRun.tsx';
import { OrchestratorRuns } from './pages/OrchestratorRuns.tsx';
import { Presets } from './pages/Presets.tsx';
import { ProposalDetail } from './pages/ProposalDetail.tsx';
import { Proposals } from './pages/Proposals.tsx';
import { QueueList } from './pages/QueueList.tsx';
import { ScheduleEdit } from './pages/ScheduleEdit.tsx';
import { Schedules } from './pages/Schedules.tsx';
import { SignIn } from './pages/SignIn.tsx';

export function App() {
  return (
    <Router root={Layout}>
      <Route path="/" component={() => <Navigate href="/tasks" />} />
      <Route path="/sign-in" component={SignIn} />
      <Route path="/tasks" component={RequireAuth}>
        <Route path="/" component={ActiveTasks} />
        <Route path="/queue" component={QueueList} />
        <Route path="/queue/new" component={NewTask} />
        <Route path="/queue/:jobId" component={JobDetail} />
        <Route path="/presets/:slug?" component={Presets} />
        <Route path="/proposals" component={Proposals} />
        <Route path="/schedules" component={Schedules} />
        <Route path="/schedules/new" component={ScheduleEdit} />
        <Route path="/schedules/:id/edit" component={ScheduleEdit} />
        <Route path="/proposals/:proposalId" component={ProposalDetail} />
        <Route path="/orchestrator" component={OrchestratorRuns} />
        <Route path="/orchestrator/new" component={OrchestratorNew} />
        <Route path="/orchestrator/:runId" component={OrchestratorRun} />
        <Route path="/manifests" component={Manifests} />
        <Route path="/manifests/new" component={ManifestEdit} />
        <Route path="/manifests/:name" component={ManifestEdit} />
      </Route>
      <Route path="*404" component={RequireAuthNotFound} />
    </Router>
  );
}

const RequireAuthNotFound = () => (
  <RequireAuth>
    <NotFound />
  </RequireAuth>
);
