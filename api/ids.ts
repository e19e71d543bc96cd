import { createHash } from 'node:crypto';
import { z } from 'zod';

// Spelled out in both cases, not with the `i` flag: the OpenAPI pattern carries no flags, and it must say
// what is accepted.
const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/**
 * An id in a path: a UUID, else a 400 naming the parameter before any lookup (PostgreSQL refuses non-UUIDs).
 * Lower-cased, as ids are issued and as workflow ids (`job-<id>`) spell them.
 */
export const uuidParam = (what: string) =>
  z
    .string()
    .regex(uuid, `must be ${what} (a UUID)`)
    .transform((id) => id.toLowerCase());

/**
 * A name-based UUID (RFC 9562 version 5 layout over SHA-1): the same namespace + name always give the same
 * id. Idempotent submission derives the job id this way from the submitter and the Idempotency-Key.
 */
export function v5Uuid(namespace: string, name: string): string {
  const bytes = createHash('sha1').update(`${namespace}\u0000${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
