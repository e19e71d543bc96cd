import type {
  OrchestratorRunList,
  OrchestratorRunView,
  ServiceSummary,
} from '../../contracts/orchestrator.ts';
import {
  isOrchestratorTerminal,
  type OrchestratorStatus,
  orchestratorStatusLabels,
} from '../../contracts/orchestrator-run.ts';
import { publishModes } from '../../contracts/task.ts';
import { type Command, type CommandInput, jobIdArg, str } from '../command.ts';
import { type ExitCode, exitCodes, usageError } from '../exit-codes.ts';
import type { ApiClient } from '../http.ts';
import { note, print, printJson, table } from '../output.ts';

const base = '/api/orchestrator';
const usages = {
  submit:
    'moonmind orchestrator submit SERVICE INSTRUCTION… [--priority normal|high] [--publish none|branch|pr] [--token-stdin] [--wait] [--json]',
  list: 'moonmind orchestrator list [--status S] [--limit N] [--cursor C] [--json]',
  show: 'moonmind orchestrator show RUN_ID [--json]',
  approve: 'moonmind orchestrator approve RUN_ID [--token-stdin] [--comment TEXT] [--json]',
  cancel: 'moonmind orchestrator cancel RUN_ID [--reason TEXT] [--json]',
  retry: 'moonmind orchestrator retry RUN_ID [--token-stdin] [--wait] [--json]',
  services: 'moonmind orchestrator services [--json]',
};
type Sub = keyof typeof usages;

const label = (s: OrchestratorStatus) => orchestratorStatusLabels[s] ?? s;
/** A run's outcome as an exit code: only `succeeded` is 0 (a rollback means the change did not land). */
const exitOf = (run: OrchestratorRunView): ExitCode =>
  run.status === 'succeeded' ? exitCodes.ok : exitCodes.failed;

/** The service's approval token from standard input (never a flag: argv is visible to every local user). */
async function tokenFromStdin(values: CommandInput['values']): Promise<string | undefined> {
  if (!values['token-stdin']) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').split('\n')[0].trim();
  if (!token) throw usageError('--token-stdin: standard input holds no token');
  return token;
}

function runRows(runs: OrchestratorRunView[]): string[] {
  return table([
    ['ID', 'STATUS', 'CREATED', 'SERVICE', 'INSTRUCTION'],
    ...runs.map((r) => [
      r.runId,
      label(r.status),
      r.createdAt.slice(0, 19).replace('T', ' '),
      r.targetService,
      r.instruction.split('\n')[0].slice(0, 80),
    ]),
  ]);
}

/** A run as `show` tells it: where it stands, its plan and who approved it, each step, what it kept. */
function runDetail(r: OrchestratorRunView): string[] {
  const fields: [string, string | null | undefined][] = [
    ['id', r.runId],
    ['service', r.targetService],
    ['status', label(r.status)],
    ['waiting', r.waitingReason],
    ['priority', r.priority],
    ['submitted', `${r.createdAt} by ${r.submittedBy}`],
    ['retry of', r.retryOf],
    ['host', r.host],
    ['instruction', r.instruction],
    ['plan files', r.plan?.files.join(', ')],
    ['rationale', r.plan?.rationale],
    [
      'approved',
      r.plan?.approval &&
        `${r.plan.approval.actor} at ${r.plan.approval.at}${r.plan.approval.tokenVerified ? ' (token verified)' : ''}`,
    ],
    ['rollback', r.rollbackReason],
    ['error', r.error],
    ['publish', r.publishMode !== 'none' ? r.publishMode : null],
    ['branch', r.branch],
    ['pr', r.prUrl],
    ['unpublished', r.publishError],
  ];
  const lines = fields.filter(([, v]) => v).map(([k, v]) => `${`${k}:`.padEnd(13)}${v}`);
  if (r.steps.length) {
    lines.push(
      '',
      ...table([
        ['STEP', 'OUTCOME', 'STARTED', 'DETAIL'],
        ...r.steps.map((s) => [s.name, s.outcome, s.startedAt?.slice(11, 19) ?? '-', s.detail ?? '']),
      ]),
    );
  }
  if (r.artifacts.length) lines.push('', `artifacts: ${r.artifacts.map((a) => a.name).join(', ')}`);
  return lines;
}

/** Poll the run until it ends, saying once when it waits for an approval. */
async function untilEnded(api: ApiClient, runId: string): Promise<OrchestratorRunView> {
  let said = '';
  for (;;) {
    const run = await api.get<OrchestratorRunView>(`${base}/runs/${runId}`);
    if (isOrchestratorTerminal(run.status)) return run;
    const now =
      run.status === 'awaiting_approval' ? `awaiting approval: moonmind orchestrator approve ${runId}` : '';
    if (now && now !== said) note(now);
    said = now;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** A started run: its id (what a script reads), or it followed to its end with --wait. */
async function started(
  api: ApiClient,
  run: OrchestratorRunView,
  values: CommandInput['values'],
): Promise<ExitCode> {
  if (!values.wait) {
    if (values.json) printJson(run);
    else print(run.runId);
    return exitCodes.ok;
  }
  note(`run ${run.runId} started; waiting for it to end`);
  const ended = await untilEnded(api, run.runId);
  if (values.json) printJson(ended);
  else for (const line of runDetail(ended)) print(line);
  return exitOf(ended);
}

/** Approve and cancel answer 200 when the run took the action, 202 when it had not answered yet; 409 says why not. */
async function control(
  api: ApiClient,
  runId: string,
  path: string,
  body: unknown,
  values: CommandInput['values'],
) {
  const { status, body: run } = await api.request<OrchestratorRunView>(`${base}/runs/${runId}/${path}`, {
    method: 'POST',
    json: body,
  });
  if (values.json) return printJson({ taken: status === 200, run });
  print(
    status === 200
      ? `${path === 'approvals' ? 'approve' : path}: taken by the run; it is ${label(run.status)}`
      : `${path}: sent; the run has not answered yet`,
  );
}

const subcommands: Record<Sub, Command['run']> = {
  async submit({ positionals, values, api }) {
    const [service, ...words] = positionals;
    if (!service || !words.length)
      throw usageError(`give the service and the instruction\nusage: ${usages.submit}`);
    const mode = str(values.publish);
    if (mode !== undefined && !(publishModes as readonly string[]).includes(mode))
      throw usageError(`--publish must be one of ${publishModes.join(', ')}\nusage: ${usages.submit}`);
    const approvalToken = await tokenFromStdin(values);
    const { body } = await api().request<OrchestratorRunView>(`${base}/runs`, {
      method: 'POST',
      json: {
        targetService: service,
        instruction: words.join(' '),
        priority: str(values.priority),
        approvalToken,
        publish: mode && { mode },
      },
    });
    return started(api(), body, values);
  },
  async list({ values, api }) {
    const page = await api().get<OrchestratorRunList>(`${base}/runs`, {
      status: str(values.status),
      limit: str(values.limit),
      cursor: str(values.cursor),
    });
    if (values.json) return void printJson(page);
    if (!page.items.length) return void note('no runs match');
    for (const line of runRows(page.items)) print(line);
    if (page.nextCursor) note(`(more runs: --cursor ${page.nextCursor})`);
  },
  async show({ positionals, values, api }) {
    const run = await api().get<OrchestratorRunView>(
      `${base}/runs/${jobIdArg(positionals, usages.show, 'run')}`,
    );
    if (values.json) printJson(run);
    else for (const line of runDetail(run)) print(line);
  },
  async approve({ positionals, values, api }) {
    const runId = jobIdArg(positionals, usages.approve, 'run');
    await control(
      api(),
      runId,
      'approvals',
      { token: await tokenFromStdin(values), comment: str(values.comment) },
      values,
    );
  },
  async cancel({ positionals, values, api }) {
    const runId = jobIdArg(positionals, usages.cancel, 'run');
    await control(api(), runId, 'cancel', { reason: str(values.reason) }, values);
  },
  async retry({ positionals, values, api }) {
    const runId = jobIdArg(positionals, usages.retry, 'run');
    const { body } = await api().request<OrchestratorRunView>(`${base}/runs/${runId}/retry`, {
      method: 'POST',
      json: { approvalToken: await tokenFromStdin(values) },
    });
    return started(api(), body, values);
  },
  async services({ values, api }) {
    const { items } = await api().get<{ items: ServiceSummary[] }>(`${base}/services`);
    if (values.json) return void printJson(items);
    if (!items.length) return void note('no services: the API has no MOONMIND_SERVICE_PROFILES');
    for (const line of table([
      ['SERVICE', 'RUNNER', 'PROTECTED', 'HEALTH'],
      ...items.map((s) => [
        s.name,
        s.runner,
        s.protected ? (s.requiresToken ? 'yes, token' : 'yes') : 'no',
        s.healthUrl,
      ]),
    ]))
      print(line);
  },
};

/** `moonmind orchestrator SUB …`: orchestrator runs of spec 08 over /api/orchestrator. */
export const orchestrator: Command = {
  usage: Object.values(usages).join('\n  '),
  options: {
    priority: { type: 'string' },
    publish: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    comment: { type: 'string' },
    reason: { type: 'string' },
    'token-stdin': { type: 'boolean' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(input) {
    const [sub, ...rest] = input.positionals;
    const run = subcommands[sub as Sub];
    if (!run)
      throw usageError(
        `${sub ? `unknown subcommand ${sub}` : 'give a subcommand'}\nusage: ${orchestrator.usage}`,
      );
    return (await run({ ...input, positionals: rest })) ?? exitCodes.ok;
  },
};
