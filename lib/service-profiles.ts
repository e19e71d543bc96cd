import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../contracts/config.ts';
import type { ServiceSummary } from '../contracts/orchestrator.ts';
import { type ServiceProfile, serviceProfilesSchema } from '../contracts/service-profiles.ts';

/**
 * The service profiles (MOONMIND_SERVICE_PROFILES): read once at API and worker start, so a bad file stops
 * start with a message naming the file and the dotted path of each problem. Paths come back absolute.
 */
export type ServiceProfiles = ReadonlyMap<string, ServiceProfile>;

const noProfiles: ServiceProfiles = new Map();

/** The profiles of `file`, or none when the setting is unset. Throws ConfigError. */
export function loadServiceProfiles(file: string | undefined): ServiceProfiles {
  if (!file) return noProfiles;
  const absolute = path.resolve(file);
  const fail = (lines: string[]): never => {
    throw new ConfigError(
      `Invalid service profiles in ${absolute} (MOONMIND_SERVICE_PROFILES):\n${lines.map((l) => `  ${l}`).join('\n')}`,
    );
  };
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    return fail([`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) return fail(doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  const parsed = serviceProfilesSchema.superRefine(processRules).safeParse(doc.toJS());
  if (!parsed.success) return fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const base = path.dirname(absolute);
  return new Map(
    Object.entries(parsed.data.services).map(([name, profile]) => [name, resolvePaths(name, profile, base)]),
  );
}

/** What the schema cannot say alone: the process runner's commands, relative globs, URLs without secrets. */
function processRules(data: z.infer<typeof serviceProfilesSchema>, ctx: z.RefinementCtx) {
  for (const [name, p] of Object.entries(data.services)) {
    const at = (...rest: (string | number)[]) => ['services', name, ...rest];
    if (p.runner === 'process') {
      for (const key of ['build', 'start'] as const)
        if (!p[key])
          ctx.addIssue({
            code: 'custom',
            path: at(key),
            message: `the process runner needs a ${key} command`,
          });
    }
    p.editable?.forEach((glob, i) => {
      if (path.isAbsolute(glob) || glob.split('/').includes('..'))
        ctx.addIssue({
          code: 'custom',
          path: at('editable', i),
          message: 'must be relative to root, without ..',
        });
    });
    // Refinements run on a profile that failed its schema too: an unparsable URL is already reported.
    const url = URL.canParse(p.health?.url) ? new URL(p.health.url) : null;
    if (url && (url.username || url.password))
      ctx.addIssue({ code: 'custom', path: at('health', 'url'), message: 'must not hold credentials' });
  }
}

function resolvePaths(name: string, profile: ServiceProfile, base: string): ServiceProfile {
  const root = path.resolve(base, profile.root);
  const inRoot = (p: string | undefined) => (p === undefined ? undefined : path.resolve(root, p));
  return {
    ...profile,
    root,
    pidFile: profile.runner === 'process' ? inRoot(profile.pidFile ?? `.moonmind/${name}.pid`) : undefined,
    logFile:
      inRoot(profile.logFile) ?? (profile.runner === 'process' ? inRoot(`.moonmind/${name}.log`) : undefined),
    compose:
      profile.runner === 'compose'
        ? {
            file: inRoot(profile.compose?.file ?? 'docker-compose.yml')!,
            project: profile.compose?.project,
            service: profile.compose?.service ?? name,
          }
        : profile.compose,
  };
}

/** What the API shows about the services (the new-run form): no paths, commands or tokens. */
export function serviceSummaries(profiles: ServiceProfiles): ServiceSummary[] {
  return [...profiles].map(([name, p]) => ({
    name,
    runner: p.runner,
    protected: p.protected,
    requiresToken: p.approvalToken !== undefined,
    healthUrl: p.health.url,
  }));
}
