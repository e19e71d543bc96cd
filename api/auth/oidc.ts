import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { v5Uuid } from '../ids.ts';
import { type Identity, type Role, roles, workerScopeSchema } from './identity.ts';

export interface OidcOptions {
  issuer: string;
  audience?: string;
  rolesClaim: string;
}

/** Role value that makes a token a worker identity; its policy scope comes from this claim. */
export const OIDC_WORKER_ROLE = 'worker';
export const OIDC_SCOPE_CLAIM = 'moonmind_scope';

/**
 * OIDC bearer JWTs: verified against the issuer's JWKS (found through its discovery document, fetched once).
 * A token whose roles claim names `worker` is a worker identity scoped by its `moonmind_scope` claim
 * (`{ jobTypes, repositories, capabilities, scopes }`); otherwise it is a user with the highest MoonMind role
 * the claim names. No role (or a worker without a valid scope) → no identity.
 */
export function createOidcVerifier(opts: OidcOptions) {
  let jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keys = () => {
    jwks ??= (async () => {
      const res = await fetch(new URL('.well-known/openid-configuration', withSlash(opts.issuer)));
      if (!res.ok) throw new Error(`OIDC discovery failed: HTTP ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: string };
      if (!doc.jwks_uri) throw new Error('OIDC discovery document has no jwks_uri');
      return createRemoteJWKSet(new URL(doc.jwks_uri));
    })().catch((err) => {
      jwks = undefined;
      throw err;
    });
    return jwks;
  };
  return async function verify(token: string): Promise<Identity | null> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keys(), { issuer: opts.issuer, audience: opts.audience }));
    } catch {
      return null;
    }
    if (!payload.sub) return null;
    const claimed = roleValues(payload[opts.rolesClaim]);
    const name = [payload.preferred_username, payload.email, payload.sub].find(
      (v) => typeof v === 'string',
    ) as string;
    if (claimed.includes(OIDC_WORKER_ROLE)) {
      const scope = workerScopeSchema.safeParse(payload[OIDC_SCOPE_CLAIM]);
      return scope.success
        ? { kind: 'worker', tokenId: null, name: `oidc:${payload.sub}`, scope: scope.data }
        : null;
    }
    const role = [...roles].reverse().find((r) => claimed.includes(r)) as Role | undefined;
    if (!role) return null;
    return {
      kind: 'user',
      id: v5Uuid(`oidc:${opts.issuer}`, payload.sub),
      name,
      role,
      via: 'oidc',
      tokenId: null,
      csrfToken: null,
    };
  };
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

const roleValues = (claim: unknown): string[] =>
  (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : []).map((v) =>
    String(v).toLowerCase(),
  );
