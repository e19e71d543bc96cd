import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A minimal OpenID provider for tests: discovery document, JWKS (a fresh RSA key), an authorization endpoint
 * that signs in the selected test user at once (no UI) and redirects back with a code, and a token endpoint
 * that checks the client credentials, the redirect URI and the PKCE verifier before answering a signed
 * id_token carrying the user's roles claim.
 */
export interface FakeOidcUser {
  sub: string;
  username: string;
  email?: string;
  roles: string[];
}

export interface FakeOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The user the next authorization request signs in (default: the first one). */
  signInAs(sub: string): void;
  /** Claims merged into the next id_token only (to test what the relying party must refuse). */
  tamperNextIdToken(claims: Record<string, unknown>): void;
  /** Why the token endpoint refused requests, in order. */
  refusals: string[];
  close(): Promise<void>;
}

interface IssuedCode {
  user: FakeOidcUser;
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | null;
}

export async function startFakeOidc(opts: {
  users: FakeOidcUser[];
  rolesClaim?: string;
  clientId?: string;
  clientSecret?: string;
}): Promise<FakeOidc> {
  const clientId = opts.clientId ?? 'moonmind-dashboard';
  const clientSecret = opts.clientSecret ?? `secret-${randomBytes(8).toString('hex')}`;
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, IssuedCode>();
  const refusals: string[] = [];
  let current = opts.users[0];
  let tamper: Record<string, unknown> | null = null;
  let issuer = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, error: string, why: string) => {
    refusals.push(why);
    json(res, error === 'invalid_client' ? 401 : 400, { error });
  };

  const authorize = (url: URL, res: ServerResponse) => {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri || q.get('client_id') !== clientId) return json(res, 400, { error: 'invalid_request' });
    const back = new URL(redirectUri);
    if (q.get('state')) back.searchParams.set('state', q.get('state') as string);
    const challenge = q.get('code_challenge');
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !challenge) {
      back.searchParams.set('error', 'invalid_request');
    } else {
      const code = randomBytes(16).toString('hex');
      codes.set(code, { user: current, clientId, redirectUri, challenge, nonce: q.get('nonce') });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.toString() }).end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [id, secret] = basic
      ? Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent)
      : [form.get('client_id'), form.get('client_secret')];
    if (id !== clientId || secret !== clientSecret)
      return refuse(res, 'invalid_client', 'client credentials');
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code); // single use
    if (form.get('grant_type') !== 'authorization_code' || !issued)
      return refuse(res, 'invalid_grant', 'code');
    if (form.get('redirect_uri') !== issued.redirectUri) return refuse(res, 'invalid_grant', 'redirect_uri');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge)
      return refuse(res, 'invalid_grant', 'pkce');
    const { user } = issued;
    const claims: Record<string, unknown> = {
      preferred_username: user.username,
      email: user.email,
      [opts.rolesClaim ?? 'roles']: user.roles,
      ...(issued.nonce ? { nonce: issued.nonce } : {}),
      ...tamper,
    };
    tamper = null;
    const idToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid as string })
      .setIssuer(issuer)
      .setAudience(typeof claims.aud === 'string' ? claims.aud : issued.clientId)
      .setSubject(user.sub)
      .setIssuedAt()
      .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : '5m')
      .sign(privateKey);
    json(res, 200, {
      access_token: randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      id_token: idToken,
    });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration')
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    if (req.method === 'GET' && url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && url.pathname === '/authorize') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token')
      return void token(req, res).catch((err) => json(res, 500, { error: String(err) }));
    json(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(sub) {
      const user = opts.users.find((u) => u.sub === sub);
      if (!user) throw new Error(`no fake OIDC user ${sub}`);
      current = user;
    },
    tamperNextIdToken(claims) {
      tamper = claims;
    },
    refusals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
