import type { z } from 'zod';
import type {
  Proposal,
  ProposalCreate,
  proposalDetailSchema,
  proposalListSchema,
} from '../../../contracts/proposals.ts';
import type { BulkAction, BulkItemResult } from '../lib/proposal-bulk.ts';
import { ApiError, query, request } from './client.ts';

/**
 * Every proposal request of the dashboard (shared/spec/05-proposals.md, contracts/proposals.ts). The
 * answers are read tolerantly (a promotion's job id from `job.id` or `jobId`; a list as `{ items }` or a
 * bare array): adapting to the backend's exact shapes is a change to this file only.
 */
export type ProposalDetail = z.infer<typeof proposalDetailSchema>;
export type ProposalPage = z.infer<typeof proposalListSchema>;
export type ProposalQuery = Record<string, string | number | undefined>;

const base = '/api/proposals';
const at = (id: string) => `${base}/${encodeURIComponent(id)}`;
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** A decision lost a race (409): `current` is the proposal as it now stands (null if it could not be read). */
export class ProposalConflict extends Error {
  constructor(
    message: string,
    readonly current: Proposal | null,
  ) {
    super(message);
  }
}

/** A 409: the proposal as it now stands, read fresh. */
async function conflict(id: string, e: ApiError): Promise<never> {
  let current: Proposal | null = null;
  try {
    current = await getProposal(id);
  } catch {
    current = null;
  }
  throw new ProposalConflict(e.message || 'This proposal changed meanwhile.', current);
}

async function write<T>(id: string, path: string, body: unknown): Promise<T> {
  try {
    return await request<T>('POST', path, body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) return conflict(id, e);
    throw e;
  }
}

export async function listProposals(q: ProposalQuery): Promise<ProposalPage> {
  const answer = await request<unknown>('GET', `${base}${query(q)}`);
  if (Array.isArray(answer))
    return { items: answer as Proposal[], nextCursor: null, counts: {} as ProposalPage['counts'] };
  const a = obj(answer);
  return {
    items: (Array.isArray(a.items) ? a.items : []) as Proposal[],
    nextCursor: typeof a.nextCursor === 'string' && a.nextCursor ? a.nextCursor : null,
    counts: obj(a.counts) as ProposalPage['counts'],
  };
}

export async function getProposal(id: string): Promise<ProposalDetail> {
  const a = obj(await request<unknown>('GET', at(id)));
  const p = (a.proposal ? { ...obj(a.proposal), ...a } : a) as Partial<ProposalDetail>;
  return {
    ...(p as ProposalDetail),
    tags: p.tags ?? [],
    similar: Array.isArray(p.similar) ? p.similar : [],
    history: Array.isArray(p.history) ? p.history : [],
    preview: p.preview ?? { repository: p.repository ?? '', runtime: '', publishMode: '', steps: [] },
  };
}

export const createProposal = (body: Partial<ProposalCreate>) => request<Proposal>('POST', base, body);

/** The proposal inside an answer that is either the proposal itself or `{ proposal }`. */
const proposalOf = (answer: unknown): Proposal => {
  const a = obj(answer);
  return (a.proposal ? a.proposal : a) as Proposal;
};

export interface Promotion {
  jobId: string;
  proposal: Proposal | null;
}

export interface PromoteOptions {
  expectedVersion?: number;
  priority?: number;
  maxAttempts?: number;
  taskCreateRequestOverride?: Record<string, unknown>;
}

export async function promoteProposal(id: string, options: PromoteOptions = {}): Promise<Promotion> {
  const a = obj(await write<unknown>(id, `${at(id)}/promote`, options));
  const job = obj(a.job);
  const proposal = a.proposal ? (a.proposal as Proposal) : null;
  const jobId = String(job.id ?? a.jobId ?? proposal?.promotedJobId ?? '');
  if (!jobId) throw new Error('The server promoted the proposal but named no job.');
  return { jobId, proposal };
}

export type Decision = 'dismiss' | 'accept' | 'reject';
export const decideProposal = async (
  id: string,
  decision: Decision,
  note: string,
  expectedVersion?: number,
) =>
  proposalOf(await write(id, `${at(id)}/${decision}`, { expectedVersion, note: note.trim() || undefined }));

export const setPriority = async (id: string, priority: number, expectedVersion?: number) =>
  proposalOf(await write(id, `${at(id)}/priority`, { expectedVersion, priority }));

/** `until` is sent as an ISO timestamp with its offset. */
export const snoozeProposal = async (id: string, until: Date, expectedVersion?: number) =>
  proposalOf(await write(id, `${at(id)}/snooze`, { expectedVersion, until: until.toISOString() }));

export const unsnoozeProposal = async (id: string, expectedVersion?: number) =>
  proposalOf(await write(id, `${at(id)}/unsnooze`, { expectedVersion }));

export async function bulkProposals(
  action: BulkAction,
  ids: string[],
  extra: { note?: string; until?: Date } = {},
): Promise<BulkItemResult[]> {
  const a = obj(
    await request<unknown>('POST', `${base}/bulk`, {
      action,
      ids,
      note: extra.note?.trim() || undefined,
      until: extra.until?.toISOString(),
    }),
  );
  const list = Array.isArray(a.results) ? a.results : Array.isArray(a.items) ? a.items : [];
  return list.map((raw) => {
    const r = obj(raw);
    const job = obj(r.job);
    return {
      id: String(r.id ?? ''),
      ok: r.ok === true,
      status: typeof r.status === 'number' ? r.status : r.ok ? 200 : 0,
      jobId: (r.jobId ?? job.id ?? null) as string | null,
      error: typeof r.error === 'string' ? r.error : r.error ? String(obj(r.error).message ?? r.error) : null,
    };
  });
}

/**
 * An edit-then-promote issue path (`taskCreateRequestOverride.payload.task…`) as a job-envelope path, which
 * the submit form maps onto its fields (`fieldForIssue`).
 */
export const overrideIssuePath = (path: string) =>
  path.replace(/^(body\.)?(taskCreateRequestOverride|taskCreateRequest)\.?/, '');
