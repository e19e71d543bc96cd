import type { RunningProcess } from '../runtimes/process-group.ts';

/** The step processes this worker runs now, by attempt workspace: what `steerStep` reaches at once. */
export class RunningSteps {
  private readonly byWorkspace = new Map<string, RunningProcess>();

  add(workspace: string, proc: RunningProcess): () => void {
    this.byWorkspace.set(workspace, proc);
    return () => {
      if (this.byWorkspace.get(workspace) === proc) this.byWorkspace.delete(workspace);
    };
  }

  /** Agent processes running now (the worker's metrics). */
  get size(): number {
    return this.byWorkspace.size;
  }

  get(workspace: string): RunningProcess | undefined {
    return this.byWorkspace.get(workspace);
  }
}
