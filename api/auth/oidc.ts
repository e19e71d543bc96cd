import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { v5Uuid } from '../ids.ts';
import { type Role, roles, type UserIdentity } from './identity.ts';

export interface OidcOptions {
  issuer: string;
  audience?: string;
  rolesClaim: string;
}

/**
 * OIDC bearer JWTs: verified against the issuer's JWKS (found through its discovery document, fetched once),
 * mapped to a user whose role is the highest MoonMind role named in the roles claim. No role → no access.
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
  return async function verify(token: string): Promise<UserIdentity | null> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keys(), { issuer: opts.issuer, audience: opts.audience }));
    } catch {
      return null;
    }
    const role = highestRole(payload[opts.rolesClaim]);
    if (!role || !payload.sub) return null;
    const name = [payload.preferred_username, payload.email, payload.sub].find(
      (v) => typeof v === 'string',
    ) as string;
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

function highestRole(claim: unknown): Role | null {
  const values = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : []).map(
    (v) => String(v).toLowerCase(),
  );
  return [...roles].reverse().find((r) => values.includes(r)) ?? null;
}
