import { randomBytes } from 'node:crypto';
import {
  type ScheduleDescription,
  ScheduleNotFoundError,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
  type ScheduleSpec as TemporalSpec,
} from '@temporalio/client';
import { CONTROL_TASK_QUEUE } from '../../contracts/job.ts';
import {
  describeSpec,
  intervalMs,
  type OverlapPolicy,
  type ScheduleCreate,
  type ScheduledFireInput,
  type SchedulePatch,
  type ScheduleSpec,
  type ScheduleView,
  scheduleKeyNamespace,
  scheduleSlug,
} from '../../contracts/schedules.ts';
import { jobTitle, type NormalizedJob } from '../../contracts/task.ts';
import { indexedAmong } from '../../db/job-index.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { HttpError, notFound, validationFailed } from '../errors.ts';
import { v5Uuid } from '../ids.ts';
import { uiBaseOf } from '../jobs/detail.ts';
import { prepareSubmission } from '../jobs/submit.ts';

/**
 * Schedules live in Temporal only: the spec, policies and paused state are the schedule's own; the task,
 * the owner and the spec as written (a cron string Temporal would turn into calendars) ride in the
 * action (its args and memo), which an edit replaces. Nothing is copied into PostgreSQL.
 */
type Deps = Pick<ApiDeps, 'client' | 'config' | 'skills' | 'sql'>;
type ViewDeps = Pick<Deps, 'client' | 'config' | 'sql'>;
type Owner = { id: string; name: string };
/** The action memo: what a fire workflow says about its schedule in the Temporal Web UI too. */
interface ActionMemo {
  schedule: { id: string; name: string; spec: ScheduleSpec; owner: Owner };
}

const overlapToTemporal: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};
/** Missed fires older than this (the server was down) are dropped rather than run late in a burst. */
const CATCHUP_WINDOW = '5 minutes';

const temporalSpec = (spec: ScheduleSpec): TemporalSpec =>
  spec.interval
    ? { intervals: [{ every: intervalMs(spec.interval) ?? 0 }] }
    : { cronExpressions: [spec.cron ?? ''], timezone: spec.timezone };

/** The schedule's task checked by the submission rules as its owner; issues are named under `job.`. */
async function normalizedTask(
  deps: Deps,
  owner: UserIdentity,
  job: Record<string, unknown>,
): Promise<NormalizedJob> {
  try {
    return (await prepareSubmission(deps, owner, job, null)).job;
  } catch (err) {
    if (err instanceof HttpError && err.issues)
      throw validationFailed(err.issues.map((i) => ({ ...i, path: `job.${i.path}` })));
    throw err;
  }
}

function action(id: string, name: string, spec: ScheduleSpec, owner: Owner, job: NormalizedJob) {
  const input: ScheduledFireInput = { scheduleId: id, owner, job: job as unknown as Record<string, unknown> };
  const memo: ActionMemo = { schedule: { id, name, spec, owner } };
  return {
    type: 'startWorkflow',
    workflowType: 'scheduledFire',
    // Temporal appends the fire time: `schedule-nightly-3f2a1c-2026-12-05T09:00:00Z`.
    workflowId: id,
    taskQueue: CONTROL_TASK_QUEUE,
    args: [input],
    memo: memo as unknown as Record<string, unknown>,
    staticSummary: `${name}: ${jobTitle(job.payload)}`,
  } satisfies ScheduleOptionsStartWorkflowAction<(input: ScheduledFireInput) => Promise<unknown>>;
}

/**
 * Temporal refuses what our checks let through (a cron value out of range): the SDK turns the server's
 * "Invalid schedule spec" into a TypeError; either way the caller gets a 400 naming the spec field.
 */
async function checkedBySpec<T>(spec: ScheduleSpec | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const grpcCode = (err as { cause?: { code?: number } }).cause?.code;
    if (spec && (err instanceof TypeError || grpcCode === 3))
      throw validationFailed([
        {
          path: spec.cron ? 'spec.cron' : 'spec.interval',
          message: `Temporal refused it: ${(err as Error).message}`,
        },
      ]);
    throw err;
  }
}

export async function createSchedule(
  deps: Deps,
  user: UserIdentity,
  body: ScheduleCreate,
): Promise<ScheduleView> {
  const job = await normalizedTask(deps, user, body.job);
  const id = `schedule-${scheduleSlug(body.name)}-${randomBytes(3).toString('hex')}`;
  const owner = { id: user.id, name: user.name };
  await checkedBySpec(body.spec, () =>
    deps.client.schedule.create({
      scheduleId: id,
      spec: temporalSpec(body.spec),
      action: action(id, body.name, body.spec, owner, job),
      policies: { overlap: overlapToTemporal[body.spec.overlap], catchupWindow: CATCHUP_WINDOW },
      state: { paused: body.paused, note: body.note },
      memo: { moonmind: { name: body.name, owner } },
    }),
  );
  return getSchedule(deps, id);
}

async function describe(deps: Pick<Deps, 'client'>, id: string): Promise<ScheduleDescription> {
  try {
    const d = await deps.client.schedule.getHandle(id).describe();
    if (!(d.memo as { moonmind?: unknown } | undefined)?.moonmind) throw notFound('schedule');
    return d;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw notFound('schedule');
    throw err;
  }
}

export async function getSchedule(deps: ViewDeps, id: string): Promise<ScheduleView> {
  const [view] = await withStartedRuns(deps, [viewOf(deps, await describe(deps, id))]);
  return view;
}

/** Every MoonMind schedule, by name; each is described (its task and spec are not in the list summary). */
export async function listSchedules(deps: ViewDeps): Promise<ScheduleView[]> {
  const ids: string[] = [];
  for await (const s of deps.client.schedule.list())
    if ((s.memo as { moonmind?: unknown } | undefined)?.moonmind) ids.push(s.scheduleId);
  // Visibility may still list a schedule deleted a moment ago.
  const gone = (err: unknown) => {
    if (err instanceof HttpError && err.code === 'not_found') return null;
    throw err;
  };
  const described = await Promise.all(ids.map((id) => describe(deps, id).catch(gone)));
  const views = described.filter((d) => d !== null).map((d) => viewOf(deps, d));
  return (await withStartedRuns(deps, views)).sort(
    (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}

/** Marks the fires whose job exists (indexed once its run started), so a page links only to real runs. */
async function withStartedRuns(deps: Pick<Deps, 'sql'>, views: ScheduleView[]): Promise<ScheduleView[]> {
  const started = await indexedAmong(
    deps.sql,
    views.flatMap((v) => v.recentFires.map((f) => f.jobId)),
  );
  return views.map((v) => ({
    ...v,
    recentFires: v.recentFires.map((f) => ({ ...f, started: started.has(f.jobId) })),
  }));
}

export async function updateSchedule(
  deps: Deps,
  user: UserIdentity,
  id: string,
  patch: SchedulePatch,
): Promise<ScheduleView> {
  const current = await describe(deps, id);
  const { schedule } = current.action.memo as unknown as ActionMemo;
  const handle = deps.client.schedule.getHandle(id);
  if (patch.spec || patch.job) {
    const spec = patch.spec ?? schedule.spec;
    // Whoever sets the task answers for it: the fires then submit as the editor.
    const owner = patch.job ? { id: user.id, name: user.name } : schedule.owner;
    const job = patch.job
      ? await normalizedTask(deps, user, patch.job)
      : (fireInputOf(current).job as unknown as NormalizedJob);
    await checkedBySpec(patch.spec, () =>
      handle.update((prev) => ({
        ...prev,
        spec: patch.spec ? temporalSpec(spec) : prev.spec,
        action: action(id, schedule.name, spec, owner, job),
        policies: { ...prev.policies, overlap: overlapToTemporal[spec.overlap] },
        state: {
          paused: patch.paused ?? prev.state.paused,
          note: patch.note ?? prev.state.note,
        },
      })),
    );
  } else if (patch.paused === true) await handle.pause(patch.note ?? `paused by ${user.name}`);
  else if (patch.paused === false) await handle.unpause(patch.note ?? `unpaused by ${user.name}`);
  else await handle.update((prev) => ({ ...prev, state: { paused: prev.state.paused, note: patch.note } }));
  return getSchedule(deps, id);
}

export async function deleteSchedule(deps: Pick<Deps, 'client'>, id: string): Promise<void> {
  await describe(deps, id);
  await deps.client.schedule.getHandle(id).delete();
}

/** A fire now, whatever runs: the person asked for one (the SDK's default, overlap ALLOW_ALL for this fire). */
export async function triggerSchedule(deps: ViewDeps, id: string): Promise<ScheduleView> {
  await describe(deps, id);
  await deps.client.schedule.getHandle(id).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  return getSchedule(deps, id);
}

const fireInputOf = (d: ScheduleDescription) => (d.action.args ?? [])[0] as ScheduledFireInput;

function viewOf(deps: Pick<Deps, 'client' | 'config'>, d: ScheduleDescription): ScheduleView {
  const { schedule } = d.action.memo as unknown as ActionMemo;
  const input = fireInputOf(d);
  const job = input.job as unknown as NormalizedJob;
  const overlap = (Object.entries(overlapToTemporal).find(([, t]) => t === d.policies.overlap)?.[0] ??
    schedule.spec.overlap) as OverlapPolicy;
  const spec = { ...schedule.spec, overlap };
  const namespace = deps.client.options.namespace;
  return {
    id: d.scheduleId,
    name: schedule.name,
    spec,
    specText: describeSpec(spec),
    paused: d.state.paused,
    note: d.state.note ?? '',
    owner: schedule.owner,
    job: job as unknown as ScheduleView['job'],
    title: jobTitle(job.payload),
    nextFireTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentFires: [...d.info.recentActions].reverse().map((a) => ({
      firedAt: a.takenAt.toISOString(),
      jobId: v5Uuid(scheduleKeyNamespace(d.scheduleId), a.action.workflow.workflowId),
      started: false,
    })),
    firedCount: d.info.numActionsTaken,
    skippedCount: d.info.numActionsSkippedOverlap,
    createdAt: d.info.createdAt?.toISOString() ?? null,
    temporal: {
      url: `${uiBaseOf(deps.config).replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/schedules/${encodeURIComponent(d.scheduleId)}`,
    },
  };
}
