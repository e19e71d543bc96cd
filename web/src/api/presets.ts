import type { z } from 'zod';
import type {
  ExpandResult,
  expandRequestSchema,
  saveFromTaskSchema,
  Template,
  TemplateBody,
  TemplateScope,
} from '../../../contracts/presets.ts';
import { query, request } from './client.ts';

/**
 * Typed calls of the step-template catalog (shared/spec/06-presets.md, contracts/presets.ts). Every preset
 * request of the dashboard goes through here: adapting to the backend's exact answers is a change to this
 * file only.
 */
export interface TemplateFilters {
  scope?: TemplateScope | '';
  tag?: string;
  q?: string;
  favorites?: boolean;
}

const base = '/api/task-step-templates';
const at = (slug: string) => `${base}/${encodeURIComponent(slug)}`;

/** Newest version first (semver order). */
export const compareVersionsDesc = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return 0;
};

/** `{ items }` or a bare list: read as a list (tolerant of the backend's shape). */
function items(answer: unknown): Template[] {
  if (Array.isArray(answer)) return answer as Template[];
  const a = answer as { items?: unknown } | null;
  return Array.isArray(a?.items) ? (a.items as Template[]) : [];
}

/**
 * Which template a slug names when several scopes hold it (the server picks the most specific one the
 * caller can see unless told).
 */
export interface TemplateRef {
  scope?: TemplateScope;
  team?: string | null;
}
const refQuery = (ref: TemplateRef = {}) =>
  query({ scope: ref.scope, team: ref.scope === 'team' ? ref.team : null });
export const refOf = (t: Pick<Template, 'scope' | 'team'>): TemplateRef => ({ scope: t.scope, team: t.team });

/** A template: its latest version and the versions released (newest first). */
export interface TemplateDetail {
  latest: Template;
  versions: string[];
}

/**
 * The answer of `GET {slug}`, as `{ ...latest, versions: ["1.1.0", …] }` (the backend's), a list of version
 * objects (`{ items }`), or a bare template.
 */
export function readDetail(answer: unknown): TemplateDetail | null {
  const list = items(answer);
  if (list.length) {
    const sorted = list.slice().sort((a, b) => compareVersionsDesc(a.version, b.version));
    return { latest: sorted[0], versions: sorted.map((t) => t.version) };
  }
  const a = answer as (Template & { versions?: unknown }) | null;
  if (!a || typeof a.slug !== 'string') return null;
  const { versions, ...latest } = a;
  const names = Array.isArray(versions)
    ? versions
        .map((v) => (typeof v === 'string' ? v : (v as { version?: string })?.version))
        .filter((v) => !!v)
    : [];
  return {
    latest: latest as Template,
    versions: [...new Set([latest.version, ...(names as string[])])].sort(compareVersionsDesc),
  };
}

export const listTemplates = async (f: TemplateFilters = {}) =>
  items(
    await request<unknown>(
      'GET',
      `${base}${query({ scope: f.scope || undefined, tag: f.tag, q: f.q?.trim(), favorites: f.favorites ? 'true' : undefined })}`,
    ),
  );

export async function getTemplate(slug: string, ref?: TemplateRef): Promise<TemplateDetail> {
  const detail = readDetail(await request<unknown>('GET', `${at(slug)}${refQuery(ref)}`));
  if (!detail) throw new Error(`No template ${slug}`);
  return detail;
}

export const getTemplateVersion = (slug: string, version: string, ref?: TemplateRef) =>
  request<Template>('GET', `${at(slug)}/versions/${encodeURIComponent(version)}${refQuery(ref)}`);

export const createTemplate = (body: TemplateBody) => request<Template>('POST', base, body);

export const expandTemplate = (slug: string, body: z.input<typeof expandRequestSchema>, ref?: TemplateRef) =>
  request<ExpandResult>('POST', `${at(slug)}:expand${refQuery(ref)}`, body);

export const saveFromTask = (body: z.input<typeof saveFromTaskSchema>) =>
  request<Template>('POST', `${base}/save-from-task`, body);

export const setFavorite = (slug: string, favorite: boolean, ref?: TemplateRef) =>
  request<unknown>(favorite ? 'POST' : 'DELETE', `${at(slug)}:favorite${refQuery(ref)}`);

export const deleteTemplate = (slug: string, ref?: TemplateRef) =>
  request<unknown>('DELETE', `${at(slug)}${refQuery(ref)}`);
