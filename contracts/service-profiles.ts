import { z } from 'zod';

/**
 * Service profiles (MOONMIND_SERVICE_PROFILES, a YAML file): what an orchestrator run may do to each
 * service. Validated at API and worker start; errors name the file and the dotted path.
 */
const secretRef = z
  .string()
  .regex(
    /^(env:\/\/[A-Za-z_][A-Za-z0-9_]*|vault:\/\/[^#\s]+#[^\s]+|\$\{[A-Za-z_][A-Za-z0-9_]*\})$/,
    'must be a secret reference (env://NAME or vault://mount/path#field), never a value',
  );
const command = z.strictObject({
  /** Run with `sh -c` in the service's root, in its own process group. */
  command: z.string().min(1).max(4000),
  timeoutSeconds: z.number().int().min(1).max(86_400).default(600),
});
const health = z.strictObject({
  url: z.url(),
  expectStatus: z.number().int().min(100).max(599).default(200),
  timeoutSeconds: z.number().min(0.1).max(3600).default(60),
  /** First wait between probes; doubles up to maxBackoffMs (small by default: a service that comes up is seen within ~100 ms). */
  initialBackoffMs: z.number().int().min(10).max(60_000).default(25),
  maxBackoffMs: z.number().int().min(10).max(60_000).default(100),
});
export const serviceProfileSchema = z.strictObject({
  runner: z.enum(['process', 'compose']).default('compose'),
  /** The service's files: the agent's workspace for analyze and patch. Absolute, or relative to the YAML file. */
  root: z.string().min(1),
  /** Globs (relative to root) the patch may change; anything else is reverted and fails the run. */
  editable: z.array(z.string().min(1)).min(1),
  /** Compose files and secret files are never editable, unless this is true and the run was approved. */
  allowProtectedFiles: z.boolean().default(false),
  /** Protected services wait for an approval after planning and before any patch. */
  protected: z.boolean().default(false),
  approvalToken: secretRef.optional(),
  build: command.optional(),
  /** process runner: starts the service in the background; its pid goes to pidFile. */
  start: command.optional(),
  /** process runner: stops it (default: the process group in pidFile gets SIGTERM, then SIGKILL). */
  stop: command.optional(),
  pidFile: z.string().min(1).optional(),
  /** compose runner. */
  compose: z
    .strictObject({
      file: z.string().min(1).default('docker-compose.yml'),
      project: z.string().min(1).optional(),
      service: z.string().min(1).optional(),
    })
    .optional(),
  health,
  /** Application checks after health (each must exit 0). */
  checks: z.array(z.strictObject({ name: z.string().min(1).max(100), ...command.shape })).default([]),
  /** Recent runtime logs for analyze: a file under root, or the compose service's logs. */
  logFile: z.string().min(1).optional(),
  /**
   * Publishing a verified fix (a run's `publish` branch or pr): root is a git checkout; the branch is pushed
   * to `remote`'s repository, the pull request goes against `baseBranch` (default: root's current branch).
   * `authRef` names the push and pull-request credential (default: the forge host's own token).
   */
  git: z
    .strictObject({
      remote: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a git remote name')
        .default('origin'),
      baseBranch: z.string().min(1).max(200).optional(),
      authRef: secretRef.optional(),
    })
    .optional(),
});
export type ServiceProfile = z.infer<typeof serviceProfileSchema>;
export const serviceProfilesSchema = z.strictObject({
  services: z.record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a service name'),
    serviceProfileSchema,
  ),
});
export type ServiceProfiles = z.infer<typeof serviceProfilesSchema>;
