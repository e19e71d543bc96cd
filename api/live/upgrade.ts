import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Identity, UserIdentity, WorkerIdentity } from '../auth/identity.ts';
import { identityOf } from '../auth/request-identity.ts';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import type { ApiDeps } from '../context.ts';
import { forbidden, HttpError, notFound } from '../errors.ts';
import { accessRefusal } from '../middleware/authorize.ts';
import { existingJob, workerScopeRefusal } from '../routes/job-access.ts';
import { serveViewer } from './viewer-socket.ts';
import { serveWorker } from './worker-socket.ts';

const socketPath =
  /^\/api\/(worker|queue)\/jobs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/live-session\/socket$/i;

/** Frames are small except a screen with scrollback; the contract caps a screen at 20 MB. */
const MAX_FRAME_BYTES = 24 * 1024 * 1024;

/**
 * The HTTP server's `upgrade` event: the two live-session sockets, authenticated and authorized exactly like
 * their routes (the same identity and access checks), then handed to the relay. Anything else is refused.
 */
export function liveUpgrade(deps: ApiDeps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const handle = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://api.invalid');
    const match = socketPath.exec(url.pathname);
    if (!match) throw notFound('route');
    const [, side, rawId] = match;
    const jobId = rawId.toLowerCase();
    const { identity } = await identityOf(deps, {
      authorization: req.headers.authorization,
      sessionCookie: cookie(req.headers.cookie, SESSION_COOKIE),
    });
    const refused = accessRefusal(identity, side === 'worker' ? 'worker' : 'viewer');
    if (refused) throw refused;
    if (side === 'worker') {
      const outside = await workerScopeRefusal(deps, identity as WorkerIdentity, jobId);
      if (outside) throw forbidden(outside);
    } else {
      crossSiteRefusal(req, identity as Identity);
      await existingJob(deps, jobId);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (side === 'worker') serveWorker(deps, jobId, ws);
      else
        serveViewer(deps, jobId, ws, (identity as UserIdentity).name).catch((err) =>
          deps.logger.warn({ jobId, err: (err as Error).message }, 'live session viewer attach failed'),
        );
    });
  };
  return {
    onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      // A client gone while its upgrade is checked must not take the process down with an unhandled error.
      socket.on('error', () => socket.destroy());
      handle(req, socket, head).catch((err) => refuse(socket, err, deps));
    },
    close() {
      wss.close();
    },
  };
}

/**
 * A browser sends the sign-in cookie with a socket from any site: one authenticated by the cookie must come
 * from a page of this origin (a bearer token is never sent by another site on its own).
 */
function crossSiteRefusal(req: IncomingMessage, identity: Identity): void {
  if (identity.kind !== 'user' || identity.via !== 'session') return;
  const origin = req.headers.origin;
  if (!origin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw forbidden('invalid Origin header');
  }
  const forwarded = req.headers['x-forwarded-host'];
  const expected = (Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? req.headers.host;
  if (host !== expected) throw forbidden('cross-site socket refused');
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The API's one error shape, on the raw socket, then close. */
function refuse(socket: Duplex, err: unknown, deps: Pick<ApiDeps, 'logger'>): void {
  const known = err instanceof HttpError;
  if (!known) deps.logger.warn({ err: (err as Error).message }, 'live session socket upgrade failed');
  const status = known ? err.status : 500;
  const requestId = randomUUID();
  const body = JSON.stringify({
    error: {
      code: known ? err.code : 'internal',
      message: known ? err.message : 'internal error',
      requestId,
    },
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
