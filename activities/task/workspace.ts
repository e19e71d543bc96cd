import { join, resolve } from 'node:path';

/**
 * The layout of one attempt's workspace: `<root>/<jobId>/attempt-<n>/{repo,git,home,tmp,skills_active,artifacts}`.
 * `repo` is the agent's checkout (with a `.git` of its own); `git` is the worker's git directory for the same
 * work tree, the only one publish reads, so nothing the agent writes under `repo/.git` is ever run or trusted.
 */
export interface WorkspacePaths {
  root: string;
  repo: string;
  gitDir: string;
  home: string;
  tmp: string;
  skillsActive: string;
  artifacts: string;
  operatorInbox: string;
}

export function workspaceFor(workspaceDir: string, jobId: string, attempt: number): string {
  if (!/^[A-Za-z0-9_-]+$/.test(jobId))
    throw new Error(`jobId ${JSON.stringify(jobId)} is not a safe path segment`);
  return join(resolve(workspaceDir), jobId, `attempt-${attempt}`);
}

export function workspacePaths(root: string): WorkspacePaths {
  return {
    root,
    repo: join(root, 'repo'),
    gitDir: join(root, 'git'),
    home: join(root, 'home'),
    tmp: join(root, 'tmp'),
    skillsActive: join(root, 'skills_active'),
    artifacts: join(root, 'artifacts'),
    operatorInbox: join(root, 'operator_inbox.jsonl'),
  };
}

/** Artifact names (shared/spec/01-task-contract.md#artifacts); each is a path under `artifacts/`. */
export const artifactNames = {
  prepareLog: 'logs/prepare.log',
  executeLog: 'logs/execute.log',
  publishLog: 'logs/publish.log',
  stepLog: (stepIndex: number) => `logs/steps/step-${String(stepIndex + 1).padStart(4, '0')}.log`,
  changesPatch: 'patches/changes.patch',
  taskContext: 'task_context.json',
  publishResult: 'publish_result.json',
} as const;

export function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.patch')) return 'text/x-diff; charset=utf-8';
  return 'text/plain; charset=utf-8';
}
