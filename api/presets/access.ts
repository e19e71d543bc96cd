import type { TemplateBody, TemplateScope } from '../../contracts/presets.ts';
import type { FieldIssue } from '../../contracts/task.ts';
import type { Viewer } from './store.ts';

/**
 * Who may change a template (spec 06): personal ones their owner (only the owner ever sees them), team ones
 * the team's members, global ones admins. Everyone who can see a template may use it.
 */
export function changeRefusal(v: Viewer, scope: TemplateScope, team: string | null): string | null {
  if (scope === 'global' && v.role !== 'admin') return 'only admins change global templates';
  if (scope === 'team' && !v.teams.includes(team ?? ''))
    return `only members of team ${team} change its templates`;
  return null;
}

/** A team template names its team; the other scopes name none. */
export function teamIssues(body: Pick<TemplateBody, 'scope' | 'team'>): FieldIssue[] {
  if (body.scope === 'team' && !body.team)
    return [{ path: 'team', message: 'a team template names its team' }];
  if (body.scope !== 'team' && body.team)
    return [{ path: 'team', message: `a ${body.scope} template has no team` }];
  return [];
}
