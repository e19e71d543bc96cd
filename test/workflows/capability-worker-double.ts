import { Context } from '@temporalio/activity';
import { type NativeConnection, Worker } from '@temporalio/worker';
import type {
  FinishExecuteInput,
  PrepareInput,
  PrepareResult,
  PublishInput,
  PublishResult,
  ReleaseHostInput,
  SteerStepInput,
  StepInput,
  StepResult,
} from '../../contracts/activities.ts';
import { hostTaskQueue, poolTaskQueue } from '../../contracts/job.ts';
import type { TaskActivities } from '../../workflows/activities.ts';

/**
 * TEST DOUBLE of a capability worker (the real one is workers/main.ts + activities/task/): it serves a
 * pool queue (`prepare`) and host queues (the rest) with trivial in-process implementations, so the
 * workflow's orchestration (routing, attempts, controls, failures) is tested without git or an agent CLI.
 * Every call is recorded; a test can swap any activity's behaviour.
 */
export interface Call {
  activity: keyof TaskActivities;
  jobId: string;
  host: string;
  input: unknown;
}

export interface DoubleBehaviour {
  /** Which host an attempt lands on (default: the pool's first host). */
  hostFor?(input: PrepareInput): string;
  executeStep?(input: StepInput, host: string): Promise<StepResult>;
}

export interface CapabilityDouble {
  calls: Call[];
  callsOf(jobId: string, activity?: keyof TaskActivities): Call[];
  /** Start serving a host queue (a host that is never started is "gone"). */
  startHost(hostId: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startCapabilityDouble(options: {
  connection: NativeConnection;
  namespace: string;
  pool: string;
  hosts: string[];
  behaviour?: DoubleBehaviour;
}): Promise<CapabilityDouble> {
  const { connection, namespace, pool, behaviour = {} } = options;
  const calls: Call[] = [];
  const running: { worker: Worker; done: Promise<void> }[] = [];
  const record = (activity: keyof TaskActivities, host: string, input: { jobId: string }) =>
    calls.push({ activity, jobId: input.jobId, host, input });

  const serve = async (taskQueue: string, activities: Partial<TaskActivities>) => {
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      activities,
      identity: `double@${taskQueue}`,
      // Cancellation reaches an activity with its next heartbeat: keep that prompt in tests.
      maxHeartbeatThrottleInterval: '500 milliseconds',
    });
    running.push({ worker, done: worker.run() });
  };

  const prepare = async (input: PrepareInput): Promise<PrepareResult> => {
    const hostId = behaviour.hostFor?.(input) ?? options.hosts[0];
    record('prepare', hostId, input);
    return {
      hostId,
      hostQueue: hostTaskQueue(hostId),
      workspace: `/tmp/double/${input.jobId}/${input.attempt}`,
      defaultBranch: 'main',
      startingBranch: 'main',
      workingBranch: `task/${input.jobId.slice(0, 8)}`,
      runtime: { mode: input.payload.targetRuntime, model: 'double-model', effort: 'high' },
    };
  };

  const hostActivities = (host: string): Omit<TaskActivities, 'prepare'> => ({
    async executeStep(input) {
      record('executeStep', host, input);
      return behaviour.executeStep ? behaviour.executeStep(input, host) : { exitCode: 0, summary: 'done' };
    },
    async finishExecute(input: FinishExecuteInput) {
      record('finishExecute', host, input);
      return { changed: true };
    },
    async publish(input: PublishInput): Promise<PublishResult> {
      record('publish', host, input);
      const mode = input.payload.task.publish.mode;
      return {
        mode,
        branch: input.prepared.workingBranch,
        commit: 'c0ffee',
        prUrl: mode === 'pr' ? 'https://forge.test/acme/repo/pull/1' : null,
        prNumber: mode === 'pr' ? 1 : null,
        skipped: null,
      };
    },
    async releaseHost(input: ReleaseHostInput) {
      record('releaseHost', host, input);
    },
    async steerStep(input: SteerStepInput) {
      record('steerStep', host, input);
      return { applied: true };
    },
  });

  await serve(poolTaskQueue(pool), { prepare });
  const double: CapabilityDouble = {
    calls,
    callsOf: (jobId, activity) =>
      calls.filter((c) => c.jobId === jobId && (!activity || c.activity === activity)),
    startHost: (hostId) => serve(hostTaskQueue(hostId), hostActivities(hostId)),
    async stop() {
      for (const r of running) if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
      await Promise.all(running.map((r) => r.done));
    },
  };
  for (const host of options.hosts) await double.startHost(host);
  return double;
}

/** A step that runs until `release()` is called (heartbeating, so a cancel reaches it). */
export function gatedStep() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    started: startedPromise,
    release: () => open(),
    async run(): Promise<StepResult> {
      started();
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 200);
      try {
        await Promise.race([gate, ctx.cancelled]);
        return { exitCode: 0, summary: 'gated step done' };
      } finally {
        clearInterval(beat);
      }
    },
  };
}
