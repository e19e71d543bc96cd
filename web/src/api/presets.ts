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

/** `{ items }`, a bare list or one template: all read as a list (tolerant of the backend's shape). */
function items(answer: unknown): Template[] {
  if (Array.isArray(answer)) return answer as Template[];
  if (answer && typeof answer === 'object') {
    const a = answer as { items?: unknown; versions?: unknown; slug?: unknown };
    if (Array.isArray(a.items)) return a.items as Template[];
    if (Array.isArray(a.versions)) return a.versions as Template[];
    if (typeof a.slug === 'string') return [answer as Template];
  }
  return [];
}

export const listTemplates = async (f: TemplateFilters = {}) =>
  items(
    await request<unknown>(
      'GET',
      `${base}${query({ scope: f.scope || undefined, tag: f.tag, q: f.q?.trim(), favorites: f.favorites ? 'true' : undefined })}`,
    ),
  );

/** Every version of a template, newest first. */
export const templateVersions = async (slug: string) =>
  items(await request<unknown>('GET', at(slug))).sort((a, b) => compareVersionsDesc(a.version, b.version));

export const getTemplateVersion = (slug: string, version: string) =>
  request<Template>('GET', `${at(slug)}/versions/${encodeURIComponent(version)}`);

export const createTemplate = (body: TemplateBody) => request<Template>('POST', base, body);

export const expandTemplate = (slug: string, body: z.input<typeof expandRequestSchema>) =>
  request<ExpandResult>('POST', `${at(slug)}:expand`, body);

export const saveFromTask = (body: z.input<typeof saveFromTaskSchema>) =>
  request<Template>('POST', `${base}/save-from-task`, body);

export const setFavorite = (slug: string, favorite: boolean) =>
  request<unknown>(favorite ? 'POST' : 'DELETE', `${at(slug)}:favorite`);

export const deleteTemplate = (slug: string) => request<unknown>('DELETE', at(slug));
