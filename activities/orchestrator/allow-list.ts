import path from 'node:path';
import type { ServiceProfile } from '../../contracts/service-profiles.ts';

/**
 * What a patch may change in a service's files (spec 08 "Safety"): only paths matching the profile's
 * `editable` globs, and never the compose file or secret files unless the profile allows it and the run
 * was approved. Paths are relative to the service root, with `/` separators.
 */

/** A glob as a RegExp: `**` any depth (also none), `*` and `?` within one path segment. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const secretPatterns = [
  '**/*.env',
  '**/.env',
  '**/.env.*',
  '**/secrets*',
  '**/secrets/**',
  '**/*.pem',
  '**/*.key',
].map(globRegExp);
const composeNames = new Set(['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml']);

/** The compose file (by its usual names or the profile's) or a secret file. */
export function isProtectedPath(rel: string, profile: ServiceProfile): boolean {
  if (composeNames.has(path.posix.basename(rel))) return true;
  const composeFile = profile.compose?.file;
  if (composeFile && path.resolve(profile.root, composeFile) === path.resolve(profile.root, rel)) return true;
  return secretPatterns.some((re) => re.test(rel));
}

/** Why `rel` may not be changed by this run, or null when it may. */
export function refusalFor(rel: string, profile: ServiceProfile, approved: boolean): string | null {
  if (isProtectedPath(rel, profile) && !(profile.allowProtectedFiles && approved))
    return profile.allowProtectedFiles ? 'protected file (needs an approved run)' : 'protected file';
  if (!profile.editable.some((g) => globRegExp(g).test(rel))) return 'not in the editable paths';
  return null;
}

/** Protected files a plan names that an approved run could change: they make the run wait for approval. */
export function protectedFilesOf(files: readonly string[], profile: ServiceProfile): string[] {
  if (!profile.allowProtectedFiles) return [];
  return files.filter((f) => isProtectedPath(f, profile));
}
