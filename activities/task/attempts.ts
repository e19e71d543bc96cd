import { join } from 'node:path';
import { type WorkerApiClient, withRetry } from '../reporting/api-client.ts';
import { EventReporter } from '../reporting/event-reporter.ts';
import { contentTypeOf, type WorkspacePaths, workspacePaths } from './workspace.ts';

/**
 * What this process keeps per attempt between its activities: the event reporter (one producer per
 * attempt, so `seq` keeps increasing across prepare, steps and publish) and the artifact uploader.
 */
export interface AttemptContext {
  jobId: string;
  attempt: number;
  paths: WorkspacePaths;
  events: EventReporter;
  /**
   * The end of an activity: upload these `artifacts/<name>` files and deliver every event emitted so far,
   * side by side (neither waits for the other), then deliver what the uploads added. Uploads are retried
   * through API outages for about half a minute; it never throws: a lost upload must not fail (and so
   * re-run) a step, it is reported as a warning event instead.
   */
  wrapUp(names: string[]): Promise<void>;
}

/** How long the end of an activity waits for the API to take its events (an outage keeps them queued). */
const DELIVERY_WAIT_MS = 10_000;

export class Attempts {
  private readonly byWorkspace = new Map<string, AttemptContext>();
  /** Reporters made per workspace: a re-created one gets a new producer, since its seq restarts at 1. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly api: WorkerApiClient,
    private readonly hostId: string,
    private readonly warn: (message: string) => void,
  ) {}

  get(jobId: string, attempt: number, workspace: string): AttemptContext {
    const known = this.byWorkspace.get(workspace);
    if (known) return known;
    const paths = workspacePaths(workspace);
    const generation = (this.generations.get(workspace) ?? 0) + 1;
    this.generations.set(workspace, generation);
    const events = new EventReporter({
      client: this.api,
      jobId,
      producer: `${this.hostId}:${jobId}:${attempt}${generation > 1 ? `:${generation}` : ''}`,
      onDrop: (err, n) => this.warn(`dropped ${n} events of job ${jobId}: ${err.message}`),
    });
    const upload = (name: string) =>
      withRetry(() => this.api.putArtifact(jobId, name, join(paths.artifacts, name), contentTypeOf(name)), {
        attempts: 10,
      }).catch((err: Error) => {
        this.warn(`artifact ${name} of job ${jobId} not uploaded: ${err.message}`);
        events.emit({
          level: 'warn',
          type: 'artifact.upload_failed',
          message: `Artifact ${name} could not be uploaded`,
          payload: { name, error: err.message },
        });
      });
    const ctx: AttemptContext = {
      jobId,
      attempt,
      paths,
      events,
      async wrapUp(names) {
        const [delivered] = await Promise.all([events.flush(DELIVERY_WAIT_MS), ...names.map(upload)]);
        // After a timed-out flush (API down) the events stay queued; waiting again would only add delay.
        if (delivered) await events.flush(DELIVERY_WAIT_MS);
      },
    };
    this.byWorkspace.set(workspace, ctx);
    return ctx;
  }

  find(workspace: string): AttemptContext | undefined {
    return this.byWorkspace.get(workspace);
  }

  async close(workspace: string): Promise<void> {
    const ctx = this.byWorkspace.get(workspace);
    this.byWorkspace.delete(workspace);
    await ctx?.events.close();
  }
}
