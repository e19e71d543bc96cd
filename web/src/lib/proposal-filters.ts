import {
  originSources,
  type ProposalStatus,
  proposalCategories,
  proposalStatuses,
} from '../../../contracts/proposals.ts';

/**
 * The inbox's filters and page cursor, kept in the URL query. A missing `status` means the inbox's default
 * (`open`); `status=all` shows every status. Unknown values in a hand-edited URL fall back to the default.
 */
export interface ProposalFilters {
  status: ProposalStatus | 'all';
  category: string;
  repository: string;
  originSource: string;
  tag: string;
  q: string;
  includeSnoozed: boolean;
  cursor: string;
}

export const defaultStatus: ProposalStatus = 'open';

export const statusLabels: Record<ProposalStatus | 'all', string> = {
  open: 'Open',
  promoted: 'Promoted',
  accepted: 'Accepted',
  rejected: 'Rejected',
  dismissed: 'Dismissed',
  all: 'All',
};
export const statusTabs = ['open', 'promoted', 'accepted', 'rejected', 'dismissed', 'all'] as const;

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
const within = <T extends string>(value: string, allowed: readonly T[]): T | '' =>
  (allowed as readonly string[]).includes(value) ? (value as T) : '';

export function filtersFromParams(params: Params): ProposalFilters {
  const status = one(params.status);
  return {
    status: status === 'all' ? 'all' : within(status, proposalStatuses) || defaultStatus,
    category: within(one(params.category), proposalCategories),
    repository: one(params.repository),
    originSource: within(one(params.originSource), originSources),
    tag: one(params.tag).toLowerCase(),
    q: one(params.q),
    includeSnoozed: one(params.includeSnoozed) === 'true',
    cursor: one(params.cursor),
  };
}

/** The URL query for filters: defaults left out (undefined removes a key with `setSearchParams`). */
export function paramsFromFilters(f: Partial<ProposalFilters>): Record<string, string | undefined> {
  const or = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  return {
    status: f.status && f.status !== defaultStatus ? f.status : undefined,
    category: or(f.category),
    repository: or(f.repository),
    originSource: or(f.originSource),
    tag: or(f.tag?.toLowerCase()),
    q: or(f.q),
    includeSnoozed: f.includeSnoozed ? 'true' : undefined,
    cursor: or(f.cursor),
  };
}

/** A change of one filter: back to the first page. */
export function withFilter(
  f: ProposalFilters,
  patch: Partial<ProposalFilters>,
): Record<string, string | undefined> {
  return paramsFromFilters({ ...f, ...patch, cursor: patch.cursor ?? '' });
}

/** The `GET /api/proposals` query for filters (`all` sends no status). */
export function apiQuery(f: ProposalFilters, limit = 25): Record<string, string | number | undefined> {
  return {
    ...paramsFromFilters(f),
    status: f.status === 'all' ? undefined : f.status,
    limit,
  };
}

/** A status tab's count: its own, or the sum for "all"; null when the server gave none. */
export function countFor(counts: Partial<Record<string, number>> | undefined, status: string): number | null {
  if (!counts) return null;
  if (status === 'all') return Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
  return counts[status] ?? 0;
}
