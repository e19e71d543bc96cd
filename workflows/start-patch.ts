import { patched } from '@temporalio/workflow';

/**
 * A patch decided in the run's first activation. Asked right after a local activity resolves, a patch can
 * replay in another workflow task than it was recorded in: Core may record the local activity's marker in
 * one task and the workflow's reaction in the next, while a replay hands the resolution over in the first,
 * before it knows the patch marker, and fails with a nondeterminism error. The first activation is always the
 * first workflow task. Runs recorded before `<id>@start` existed decide with the plain id, as they did then.
 */
export class StartPatch {
  private readonly atStart: boolean;

  constructor(private readonly id: string) {
    this.atStart = patched(`${id}@start`);
  }

  get on(): boolean {
    return this.atStart || patched(this.id);
  }
}
