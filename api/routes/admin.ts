import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { audit } from '../audit.ts';
import { type Role, roles, type UserIdentity, workerScopeSchema } from '../auth/identity.ts';
import { insertUserToken, insertWorkerToken } from '../auth/tokens.ts';
import { conflict, notFound } from '../errors.ts';
import { uuidParam } from '../ids.ts';
import { poolViews } from '../pools.ts';
import { userSchema } from '../schemas.ts';
import { defineRoutes, input } from './table.ts';

const admin = (ctx: { state: { identity: unknown } }) => ctx.state.identity as UserIdentity;
const userRowSchema = userSchema.extend({ createdAt: z.string(), disabledAt: z.string().nullable() });
const tokenName = z.string().trim().min(1).max(100);
const createdTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  token: z.string().describe('shown once'),
});
const workerTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scope: workerScopeSchema,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export const adminRoutes = defineRoutes([
  {
    method: 'get',
    path: '/api/admin/users',
    summary: 'Users',
    tag: 'admin',
    access: 'admin',
    responses: { 200: { description: 'users', schema: z.object({ items: z.array(userRowSchema) }) } },
    async handler(ctx, deps) {
      const rows = await deps.sql<
        { id: string; name: string; role: Role; createdAt: Date; disabledAt: Date | null }[]
      >`
        SELECT id, name, role, created_at AS "createdAt", disabled_at AS "disabledAt" FROM users ORDER BY name`;
      ctx.body = {
        items: rows.map((r) => ({ ...r, createdAt: iso(r.createdAt), disabledAt: iso(r.disabledAt) })),
      };
    },
  },
  {
    method: 'post',
    path: '/api/admin/users',
    summary: 'Create a user',
    tag: 'admin',
    access: 'admin',
    conflict: 'a user with that name exists',
    rateLimited: true,
    body: z.object({ name: z.string().trim().min(1).max(100), role: z.enum(roles) }),
    responses: { 201: { description: 'created', schema: userSchema } },
    async handler(ctx, deps) {
      const { name, role } = input<never, never, { name: string; role: Role }>(ctx).body;
      const id = randomUUID();
      const [row] = await deps.sql`
        INSERT INTO users (id, name, role) VALUES (${id}, ${name}, ${role}) ON CONFLICT (name) DO NOTHING RETURNING id`;
      if (!row) throw conflict(`a user named ${name} exists`);
      await audit(deps.sql, admin(ctx), 'user.create', id, { name, role });
      ctx.status = 201;
      ctx.body = { id, name, role };
    },
  },
  {
    method: 'post',
    path: '/api/admin/users/{userId}/tokens',
    summary: 'Create an API token for a user (the token is shown once)',
    tag: 'admin',
    access: 'admin',
    rateLimited: true,
    params: z.object({ userId: uuidParam('a user id') }),
    body: z.object({ name: tokenName.default('api') }),
    responses: { 201: { description: 'created', schema: createdTokenSchema } },
    async handler(ctx, deps) {
      const { params, body } = input<{ userId: string }, never, { name: string }>(ctx);
      const [user] = await deps.sql`SELECT id FROM users WHERE id = ${params.userId} AND disabled_at IS NULL`;
      if (!user) throw notFound('user');
      const created = await insertUserToken(deps.sql, {
        userId: params.userId,
        name: body.name,
        createdBy: admin(ctx).id,
      });
      await audit(deps.sql, admin(ctx), 'token.create', created.id, {
        userId: params.userId,
        name: body.name,
      });
      ctx.status = 201;
      ctx.body = { id: created.id, name: body.name, token: created.token };
    },
  },
  {
    method: 'get',
    path: '/api/admin/worker-tokens',
    summary: 'Worker tokens and their scopes',
    tag: 'admin',
    access: 'admin',
    responses: { 200: { description: 'tokens', schema: z.object({ items: z.array(workerTokenSchema) }) } },
    async handler(ctx, deps) {
      const rows = await deps.sql<
        {
          id: string;
          name: string;
          prefix: string;
          scope: unknown;
          createdAt: Date;
          lastUsedAt: Date | null;
          revokedAt: Date | null;
        }[]
      >`
        SELECT id, name, token_prefix AS prefix, scope, created_at AS "createdAt", last_used_at AS "lastUsedAt",
          revoked_at AS "revokedAt"
        FROM api_tokens WHERE kind = 'worker' ORDER BY created_at DESC`;
      ctx.body = {
        items: rows.map((r) => ({
          ...r,
          createdAt: iso(r.createdAt),
          lastUsedAt: iso(r.lastUsedAt),
          revokedAt: iso(r.revokedAt),
        })),
      };
    },
  },
  {
    method: 'post',
    path: '/api/admin/worker-tokens',
    summary: 'Create a worker token with a policy scope (the token is shown once)',
    tag: 'admin',
    access: 'admin',
    rateLimited: true,
    body: workerScopeSchema.extend({ name: tokenName }),
    responses: {
      201: { description: 'created', schema: createdTokenSchema.extend({ scope: workerScopeSchema }) },
    },
    async handler(ctx, deps) {
      const { name, ...scope } = input<never, never, z.infer<typeof workerScopeSchema> & { name: string }>(
        ctx,
      ).body;
      const created = await insertWorkerToken(deps.sql, { name, scope, createdBy: admin(ctx).id });
      await audit(deps.sql, admin(ctx), 'worker_token.create', created.id, { name, scope });
      ctx.status = 201;
      ctx.body = { id: created.id, name, token: created.token, scope };
    },
  },
  {
    method: 'delete',
    path: '/api/admin/tokens/{tokenId}',
    summary: 'Revoke a user or worker token',
    tag: 'admin',
    access: 'admin',
    params: z.object({ tokenId: uuidParam('a token id') }),
    responses: { 204: { description: 'revoked' } },
    async handler(ctx, deps) {
      const { tokenId } = input(ctx).params;
      const [row] =
        await deps.sql`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${tokenId} RETURNING id`;
      if (!row) throw notFound('token');
      await audit(deps.sql, admin(ctx), 'token.revoke', tokenId);
      ctx.status = 204;
    },
  },
  {
    method: 'get',
    path: '/api/admin/workers',
    summary: 'Registered worker pools with the pollers Temporal sees',
    tag: 'admin',
    access: 'admin',
    responses: {
      200: {
        description: 'pools',
        schema: z.object({
          items: z.array(
            z.object({
              pool: z.string(),
              taskQueue: z.string(),
              capabilities: z.array(z.string()),
              jobTypes: z.array(z.string()),
              repositories: z.array(z.string()),
              hosts: z.record(z.string(), z.unknown()),
              registeredAt: z.string(),
              updatedAt: z.string(),
              pollers: z.array(z.object({ identity: z.string(), lastAccessTime: z.string().nullable() })),
              live: z.boolean(),
            }),
          ),
        }),
      },
    },
    async handler(ctx, deps) {
      ctx.body = { items: await poolViews(deps.sql, deps.client) };
    },
  },
]);
