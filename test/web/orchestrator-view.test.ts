import { describe, expect, it } from 'vitest';
import type { ServiceSummary } from '../../contracts/orchestrator.ts';
import type { OrchestratorPlan, OrchestratorRunState } from '../../contracts/orchestrator-run.ts';
import {
  approvalControl,
  cancelRefusal,
  checkRunForm,
  diffLines,
  diffStat,
  emptyRunForm,
  retryRefusal,
  runBody,
  runFormErrorsFromIssues,
  statusFilterOf,
  stepDuration,
  stepOfEvent,
  stepRows,
} from '../../web/src/lib/orchestrator-view.ts';

const services: ServiceSummary[] = [
  { name: 'api', runner: 'process', protected: false, requiresToken: false, healthUrl: 'http://x/healthz' },
  { name: 'billing', runner: 'compose', protected: true, requiresToken: true, healthUrl: 'http://y/healthz' },
];
const plan: OrchestratorPlan = {
  targetService: 'api',
  healthUrl: 'http://x/healthz',
  composeProject: null,
  steps: [
    { name: 'analyze', description: 'read the logs' },
    { name: 'patch', description: 'fix the port in config.json' },
    { name: 'build', description: '' },
    { name: 'restart', description: '' },
    { name: 'verify', description: 'GET /healthz → 200' },
  ],
  files: ['config.json'],
  rationale: 'the port moved',
};
type Control = Pick<OrchestratorRunState, 'status' | 'cancelRequestedAt' | 'plan'>;
const awaiting: Control = { status: 'awaiting_approval', cancelRequestedAt: null, plan };

describe('orchestrator pages: pure logic', () => {
  it('reads the status filter from the URL, ignoring anything that is not a status', () => {
    expect(statusFilterOf('rolled_back')).toBe('rolled_back');
    expect(statusFilterOf('done')).toBeNull();
    expect(statusFilterOf(undefined)).toBeNull();
    expect(statusFilterOf(['failed'])).toBeNull();
  });

  it('checks the form with the API schema, keyed by field, and requires a service from the profiles', () => {
    expect(checkRunForm(emptyRunForm(), services)).toEqual({
      targetService: 'pick a service',
      instruction: 'is required',
    });
    expect(
      checkRunForm({ ...emptyRunForm(), targetService: 'ghost', instruction: 'fix it' }, services),
    ).toEqual({
      targetService: 'is not one of the configured services',
    });
    expect(
      checkRunForm({ ...emptyRunForm(), targetService: 'bad name!', instruction: 'x' }, services)
        .targetService,
    ).toBe('must be a service name from the profiles');
    expect(checkRunForm({ ...emptyRunForm(), targetService: 'api', instruction: '   ' }, services)).toEqual({
      instruction: 'is required',
    });
    expect(
      checkRunForm({ ...emptyRunForm(), targetService: 'api', instruction: 'fix it' }, services),
    ).toEqual({});
  });

  it('sends the approval token only for a protected service', () => {
    const form = { ...emptyRunForm(), targetService: 'api', instruction: 'fix', approvalToken: 'left-over' };
    expect(runBody(form, services[0])).toEqual({
      targetService: 'api',
      instruction: 'fix',
      priority: 'normal',
      publish: { mode: 'none' },
    });
    expect(runBody({ ...form, targetService: 'billing', priority: 'high' }, services[1])).toEqual({
      targetService: 'billing',
      instruction: 'fix',
      priority: 'high',
      publish: { mode: 'none' },
      approvalToken: 'left-over',
    });
  });

  it('sends the publish mode picked, and a 400 on it lands on the publish field', () => {
    const form = { ...emptyRunForm(), targetService: 'api', instruction: 'fix', publish: 'pr' as const };
    expect(runBody(form, services[0]).publish).toEqual({ mode: 'pr' });
    expect(checkRunForm(form, services)).toEqual({});
    expect(checkRunForm({ ...form, publish: 'tag' as never }, services).publish).toMatch(
      /branch|pr|none|Invalid/,
    );
    expect(runFormErrorsFromIssues([{ path: 'publish.mode', message: 'Invalid option' }])).toEqual({
      publish: 'Invalid option',
    });
  });

  it("puts a 400's issues on their fields and the rest on the form", () => {
    expect(
      runFormErrorsFromIssues([
        { path: 'targetService', message: 'no such service' },
        { path: 'extra', message: 'unknown key' },
      ]),
    ).toEqual({ targetService: 'no such service', _form: 'extra: unknown key' });
  });

  it('shows Approve to operators while the run awaits approval, with the reason it is disabled', () => {
    const operator = { canOperate: true, requiresToken: false, token: '' };
    expect(approvalControl(awaiting, operator)).toEqual({ show: true, disabled: null });
    expect(approvalControl(awaiting, { ...operator, requiresToken: true })).toEqual({
      show: true,
      disabled: 'Cannot approve: the approval token is missing or wrong.',
    });
    expect(approvalControl(awaiting, { ...operator, requiresToken: true, token: 'x' }).disabled).toBeNull();
    expect(approvalControl(awaiting, { ...operator, canOperate: false }).disabled).toBe(
      'Your role can read runs but not approve them.',
    );
    expect(approvalControl({ ...awaiting, status: 'running' }, operator).show).toBe(false);
    const approved = {
      ...plan,
      approval: { actor: 'ada', at: '2026-01-01T00:00:00Z', tokenVerified: false },
    };
    expect(approvalControl({ ...awaiting, plan: approved }, operator).show).toBe(false);
  });

  it('offers Cancel until the run ends and Retry after, for a run with a plan', () => {
    const running: Control = { status: 'running', cancelRequestedAt: null, plan: null };
    expect(cancelRefusal(running, true)).toBeNull();
    expect(cancelRefusal({ ...running, cancelRequestedAt: '2026-01-01T00:00:00Z' }, true)).toBe(
      'a cancel was already requested',
    );
    expect(cancelRefusal(running, false)).toBe('Your role can read runs but not cancel them.');
    expect(retryRefusal(running, true)).toBe('the run has not finished');
    expect(retryRefusal({ ...running, status: 'failed' }, true)).toBe('the run has no plan to reuse');
    expect(retryRefusal({ ...running, status: 'rolled_back', plan }, true)).toBeNull();
  });

  it('lays the steps out in order with outcomes, durations, descriptions and their logs', () => {
    const rows = stepRows(
      {
        plan,
        steps: [
          {
            name: 'analyze',
            outcome: 'succeeded',
            startedAt: '2026-01-01T00:00:00.000Z',
            finishedAt: '2026-01-01T00:00:02.500Z',
            detail: 'plan ready',
          },
          {
            name: 'build',
            outcome: 'running',
            startedAt: '2026-01-01T00:00:05.000Z',
            finishedAt: null,
            detail: null,
          },
        ],
      },
      ['plan.json', 'analyze.log', 'patch.diff', 'build.log'],
      Date.parse('2026-01-01T00:00:09.000Z'),
    );
    expect(rows.map((r) => [r.name, r.outcome, r.durationMs, r.artifact])).toEqual([
      ['analyze', 'succeeded', 2500, 'analyze.log'],
      ['patch', 'pending', null, 'patch.diff'],
      ['build', 'running', 4000, 'build.log'],
      ['restart', 'pending', null, null],
      ['verify', 'pending', null, null],
    ]);
    expect(rows[1].description).toBe('fix the port in config.json');
    // rollback appears once it ran.
    const rolled = stepRows(
      {
        plan,
        steps: [{ name: 'rollback', outcome: 'failed', startedAt: null, finishedAt: null, detail: 'x' }],
      },
      [],
    );
    expect(rolled.at(-1)).toMatchObject({ name: 'rollback', outcome: 'failed', detail: 'x' });
  });

  it('says how long a step took, in ms under a second', () => {
    expect(stepDuration(307)).toBe('307 ms');
    expect(stepDuration(2500)).toBe('2s');
    expect(stepDuration(65_000)).toBe('1m 05s');
  });

  it("finds a log line's step", () => {
    expect(stepOfEvent({ payload: { step: 'build' } })).toBe('build');
    expect(stepOfEvent({ payload: { step: 'deploy' } })).toBeNull();
    expect(stepOfEvent({ payload: {} })).toBeNull();
  });

  it('reads a unified diff line by line, a removed line starting with dashes included', () => {
    const diff = [
      'diff --git a/config.json b/config.json',
      '--- a/config.json',
      '+++ b/config.json',
      '@@ -1,3 +1,3 @@',
      ' {',
      '-  "port": 1',
      '+  "port": 2',
      '--- not a header',
      ' }',
      '--- a/b.txt',
      '+++ b/b.txt',
      '@@ -1 +1 @@',
      '-x',
      '+y',
      '\\ No newline at end of file',
      '',
    ].join('\n');
    const lines = diffLines(diff);
    expect(lines.map((l) => l.kind)).toEqual([
      'file',
      'file',
      'file',
      'hunk',
      'context',
      'del',
      'add',
      'del',
      'context',
      'file',
      'file',
      'hunk',
      'del',
      'add',
      'note',
    ]);
    expect(diffStat(lines)).toEqual({ added: 2, removed: 3, files: 2 });
    expect(diffLines('  \n')).toEqual([]);
  });
});
