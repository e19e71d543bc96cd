import { expandTemplate } from '../api/presets/expand.ts';
import { insertTemplate } from '../api/presets/store.ts';
import { type TemplateBody, templateBodySchema } from '../contracts/presets.ts';
import { startStack } from '../test/support/stack.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const CATALOG = 5_000;
const tags = Array.from({ length: 20 }, (_, i) => `tag-${i}`);

const template = (slug: string, steps: number, version = '1.0.0', scope: TemplateBody['scope'] = 'global') =>
  templateBodySchema.parse({
    slug,
    version,
    scope,
    team: scope === 'team' ? 'bench' : null,
    title: `Preset ${slug}`,
    description: 'A benchmark preset with a few inputs and steps of realistic length.',
    inputs: [
      { name: 'target', label: 'Target', type: 'repo_path', required: true },
      { name: 'depth', label: 'Depth', type: 'enum', options: ['quick', 'thorough'], default: 'quick' },
    ],
    steps: Array.from({ length: steps }, (_, i) => ({
      title: `Step ${i} for {{inputs.target}}`,
      instructions:
        `Do part ${i} of the work on {{inputs.target}} ({{inputs.depth}}) in {{context.repository}} for {{context.requester}} on {{iso_today}}. `.repeat(
          3,
        ),
      skill: i % 5 === 0 ? { id: 'write-tests', args: { path: '{{inputs.target}}' } } : null,
    })),
    tags: [tags[slug.length % 20], tags[(slug.charCodeAt(slug.length - 1) ?? 0) % 20]],
  });

function timed(n: number, fn: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Preset costs: the expansion of a 25-step template (pure, in-process), and `GET /api/task-step-templates`
 * through the API with 5,000 templates in the catalog (latest version per template, favorites first).
 */
export async function benchPresets(services: Services): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  const big = template('bench-25', 25);
  const context = {
    repository: 'acme/widgets',
    defaultBranch: null,
    objective: 'Benchmark',
    requester: 'bench',
  };
  const options = { now: new Date(), maxSteps: 25, skillCapabilities: () => ['node'] };
  timed(200, () => expandTemplate(big, { target: 'src/app.ts' }, context, options));
  const expansion = timed(5_000, () => expandTemplate(big, { target: 'src/app.ts' }, context, options));
  results['expand a 25-step template p50 / p95 (target p95 ≤ 5 ms)'] =
    `${fmt(percentile(expansion, 50))} / ${fmt(percentile(expansion, 95))}`;

  const stack = await startStack({ services: services.servicesFor('bench') });
  try {
    const [admin] = await stack.db.sql<{ id: string }[]>`SELECT id FROM users WHERE role = 'admin' LIMIT 1`;
    await stack.db.sql`INSERT INTO team_members (team, user_id) VALUES ('bench', ${admin.id})`;
    const t0 = performance.now();
    for (let i = 0; i < CATALOG; i += 100)
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const n = i + j;
          const scope = n % 10 === 0 ? 'personal' : n % 10 === 1 ? 'team' : 'global';
          const body = template(`preset-${n}`, 5, n % 5 === 0 ? '1.1.0' : '1.0.0', scope);
          const ownerKey = scope === 'global' ? '' : scope === 'team' ? 'bench' : admin.id;
          return insertTemplate(stack.db.sql, body, { ownerKey, ownerId: null, createdBy: null });
        }),
      );
    results[`catalog: ${CATALOG} templates inserted in`] = fmt(performance.now() - t0);
    await stack.db.sql`ANALYZE step_templates`;
    for (const n of [3, 7, 11])
      await stack.api(`/api/task-step-templates/preset-${n}:favorite`, { method: 'POST' });

    const measure = async (label: string, query: string) => {
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < 220; i++) {
        const t = performance.now();
        const res = await stack.api(`/api/task-step-templates${query}`);
        const body = (await res.json()) as { total: number };
        if (i >= 20) times.push(performance.now() - t);
        total = body.total;
      }
      results[`${label} (${total} match) p50 / p95`] =
        `${fmt(percentile(times, 50))} / ${fmt(percentile(times, 95))}`;
      return percentile(times, 95);
    };
    const p95 = await measure('list, first page of 100 (target p95 ≤ 50 ms)', '');
    await measure('list, text search', '?q=preset-42');
    await measure('list, by tag', '?tag=tag-9');
    await measure('list, favorites', '?favorites=true');
    await measure('list, a page of 500', '?limit=500');
    if (p95 > 50) results.WARNING = 'catalog list p95 over its 50 ms target';
  } finally {
    await stack.stop();
  }
  return results;
}
