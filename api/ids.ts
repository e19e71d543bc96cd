import { createHash } from 'node:crypto';
import { z } from 'zod';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id in a path: a UUID, else a 400 naming the parameter before any lookup (PostgreSQL refuses non-UUIDs). */
export const uuidParam = (what: string) => z.string().regex(uuid, `must be ${what} (a UUID)`);

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
