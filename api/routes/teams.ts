import { z } from 'zod';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import { notFound } from '../errors.ts';
import { uuidParam } from '../ids.ts';
import { defineRoutes, input } from './table.ts';

/** Team membership: admin-managed, read by the preset catalog's scope checks (team templates). */
const memberParams = z.object({
  team: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, dot, dash, underscore; at most 100'),
  userId: uuidParam('a user id'),
});
const admin = (ctx: { state: { identity: unknown } }) => ctx.state.identity as UserIdentity;

export const teamRoutes = defineRoutes([
  {
    method: 'get',
    path: '/api/admin/teams',
    summary: 'Teams and their members',
    tag: 'admin',
    access: 'admin',
    responses: {
      200: {
        description: 'teams',
        schema: z.object({
          items: z.array(
            z.object({ team: z.string(), members: z.array(z.object({ id: z.string(), name: z.string() })) }),
          ),
        }),
      },
    },
    async handler(ctx, deps) {
      const rows = await deps.sql<{ team: string; members: { id: string; name: string }[] }[]>`
        SELECT m.team, json_agg(json_build_object('id', u.id, 'name', u.name) ORDER BY u.name) AS members
        FROM team_members m JOIN users u ON u.id = m.user_id GROUP BY m.team ORDER BY m.team`;
      ctx.body = { items: rows.map((r) => ({ team: r.team, members: r.members })) };
    },
  },
  {
    method: 'put',
    path: '/api/admin/teams/{team}/members/{userId}',
    summary: 'Add a user to a team (a team exists while it has members)',
    tag: 'admin',
    access: 'admin',
    params: memberParams,
    responses: { 204: { description: 'a member (also when already one)' } },
    async handler(ctx, deps) {
      const { team, userId } = input<z.infer<typeof memberParams>>(ctx).params;
      const [u] = await deps.sql`SELECT id FROM users WHERE id = ${userId} AND disabled_at IS NULL`;
      if (!u) throw notFound('user');
      await deps.sql`
        INSERT INTO team_members (team, user_id, added_by) VALUES (${team}, ${userId}, ${admin(ctx).id})
        ON CONFLICT DO NOTHING`;
      await audit(deps.sql, admin(ctx), 'team.member.add', team, { userId });
      ctx.status = 204;
    },
  },
  {
    method: 'delete',
    path: '/api/admin/teams/{team}/members/{userId}',
    summary: 'Remove a user from a team',
    tag: 'admin',
    access: 'admin',
    params: memberParams,
    responses: { 204: { description: 'no longer a member' } },
    async handler(ctx, deps) {
      const { team, userId } = input<z.infer<typeof memberParams>>(ctx).params;
      const rows =
        await deps.sql`DELETE FROM team_members WHERE team = ${team} AND user_id = ${userId} RETURNING 1`;
      if (!rows.length) throw notFound('team member');
      await audit(deps.sql, admin(ctx), 'team.member.remove', team, { userId });
      ctx.status = 204;
    },
  },
]);
