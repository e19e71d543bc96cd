import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Real git over HTTPS for tests: Node's TLS server in front of git's own `git http-backend` (CGI), serving the
 * bare repositories under `root` (e.g. those of `createGitRemote`). Every request is recorded with the
 * credential it carried, so a test can tell which host saw which token. `redirect` answers a path prefix with
 * a 302 to another base URL. The certificate is self-signed for `localhost` and `127.0.0.1` (two different
 * hosts to git): clients trust it through `GIT_SSL_CAINFO=<certFile>`.
 */
export interface HttpsGit {
  /** `https://<host>:<port>` with host `localhost` or `127.0.0.1`. */
  url: string;
  host: string;
  /** `path` includes the query (`/o/r.git/info/refs?service=git-upload-pack`). */
  requests: { method: string; path: string; authorization: string | null }[];
  redirect(pathPrefix: string, toBase: string): void;
  close(): Promise<void>;
}

export interface TestCertificate {
  certFile: string;
  cert: string;
  key: string;
}

export async function makeCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mm-cert-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
}

export async function startHttpsGit(
  root: string,
  cert: TestCertificate,
  host: 'localhost' | '127.0.0.1',
): Promise<HttpsGit> {
  const requests: HttpsGit['requests'] = [];
  const redirects: [string, string][] = [];
  const server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    requests.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization ?? null,
    });
    const moved = redirects.find(([prefix]) => url.pathname.startsWith(prefix));
    if (moved) {
      res.writeHead(302, { location: `${moved[1]}${url.pathname}${url.search}` });
      res.end();
      return;
    }
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        // Pushes over smart HTTP need an authenticated user; the fixture trusts whoever sent a header.
        REMOTE_USER: req.headers.authorization ? 'tester' : '',
        REQUEST_METHOD: req.method,
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_COUNT: '2',
        GIT_CONFIG_KEY_0: 'http.receivepack',
        GIT_CONFIG_VALUE_0: 'true',
        GIT_CONFIG_KEY_1: 'safe.directory',
        GIT_CONFIG_VALUE_1: '*',
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${host}:${port}`,
    host: `${host}:${port}`,
    requests,
    redirect(prefix, toBase) {
      redirects.push([prefix, toBase]);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
