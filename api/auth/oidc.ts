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

/** What the product reads from an issuer's discovery document. */
export interface OidcProvider {
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

const providers = new Map<string, Promise<OidcProvider>>();

/**
 * The issuer's discovery document, fetched once per issuer and shared by the bearer verifier and the browser
 * sign-in (a failed fetch is forgotten, so the next request retries). jose's remote JWK set caches the keys
 * and refetches them on an unknown `kid` (key rotation).
 */
export function discoverOidc(issuer: string): Promise<OidcProvider> {
  let provider = providers.get(issuer);
  if (!provider) {
    provider = (async () => {
      const res = await fetch(new URL('.well-known/openid-configuration', withSlash(issuer)));
      if (!res.ok) throw new Error(`OIDC discovery failed: HTTP ${res.status}`);
      const doc = (await res.json()) as Record<string, unknown>;
      if (typeof doc.jwks_uri !== 'string') throw new Error('OIDC discovery document has no jwks_uri');
      const url = (v: unknown) => (typeof v === 'string' ? v : null);
      return {
        authorizationEndpoint: url(doc.authorization_endpoint),
        tokenEndpoint: url(doc.token_endpoint),
        jwks: createRemoteJWKSet(new URL(doc.jwks_uri)),
      };
    })();
    providers.set(issuer, provider);
    provider.catch(() => providers.delete(issuer));
  }
  return provider;
}

/**
 * OIDC bearer JWTs: verified against the issuer's JWKS (found through its discovery document).
 * The identity comes from the claims as `identityFromClaims` maps them.
 */
export function createOidcVerifier(opts: OidcOptions) {
  return async function verify(token: string): Promise<Identity | null> {
    let payload: JWTPayload;
    try {
      const { jwks } = await discoverOidc(opts.issuer);
      ({ payload } = await jwtVerify(token, jwks, { issuer: opts.issuer, audience: opts.audience }));
    } catch {
      return null;
    }
    return identityFromClaims(payload, opts);
  };
}

/**
 * Verified claims → identity, for bearer JWTs and browser sign-in alike. A roles claim naming `worker` is a
 * worker identity scoped by its `moonmind_scope` claim (`{ jobTypes, repositories, capabilities, scopes }`);
 * otherwise it is a user (id derived from issuer + subject) with the highest MoonMind role the claim names.
 * No role (or a worker without a valid scope) → no identity.
 */
export function identityFromClaims(
  payload: JWTPayload,
  opts: Pick<OidcOptions, 'issuer' | 'rolesClaim'>,
): Identity | null {
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
}

export const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

const roleValues = (claim: unknown): string[] =>
  (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : []).map((v) =>
    String(v).toLowerCase(),
  );
