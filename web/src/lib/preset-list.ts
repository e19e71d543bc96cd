import type { Template } from '../../../contracts/presets.ts';
import type { TemplateFilters } from '../api/presets.ts';

/**
 * Ordering and grouping of the catalog for the drawer and the Presets page: favorites first, then the most
 * recently used, then by title; the recently-used shelf; the tags to filter by. The server filters too: the
 * exact filters (scope, tag, favorites) are applied again here so a list never shows what was filtered out.
 */
const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) || 0 : 0);

export function sortTemplates(list: Template[]): Template[] {
  return list
    .slice()
    .sort(
      (a, b) =>
        Number(b.favorite) - Number(a.favorite) ||
        time(b.lastUsedAt) - time(a.lastUsedAt) ||
        a.title.localeCompare(b.title) ||
        a.slug.localeCompare(b.slug),
    );
}

export function recentlyUsed(list: Template[], n = 5): Template[] {
  return list
    .filter((t) => t.lastUsedAt)
    .sort((a, b) => time(b.lastUsedAt) - time(a.lastUsedAt))
    .slice(0, n);
}

export function allTags(list: Template[]): string[] {
  return [...new Set(list.flatMap((t) => t.tags ?? []))].sort();
}

export function matchesFilters(t: Template, f: TemplateFilters): boolean {
  if (f.scope && t.scope !== f.scope) return false;
  if (f.tag && !(t.tags ?? []).includes(f.tag)) return false;
  if (f.favorites && !t.favorite) return false;
  return !t.deletedAt;
}

/** Only one row per slug and scope (the latest version) when the list answers with several versions. */
export function latestOnly(list: Template[]): Template[] {
  const byKey = new Map<string, Template>();
  for (const t of list) {
    const key = `${t.scope}:${t.owner ?? ''}:${t.slug}`;
    const seen = byKey.get(key);
    if (!seen || compare(t.version, seen.version) > 0) byKey.set(key, t);
  }
  return [...byKey.values()];
}

const compare = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};
