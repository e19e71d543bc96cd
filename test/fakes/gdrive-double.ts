import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test double for the Google Drive v3 API: `GET /drive/v3/files?q='<folder>' in parents and
 * trashed=false` paging with `pageSize`/`nextPageToken`, `GET /drive/v3/files/{id}?alt=media` for files
 * with content and `GET /drive/v3/files/{id}/export?mimeType=` for Google Workspace files (each refused the
 * other way, as Drive does). It answers 401 without `Authorization: Bearer <token>`.
 */
export interface DriveFile {
  id: string;
  name: string;
  mimeType: string;
  parent: string;
  content: string;
  modifiedTime?: string;
  trashed?: boolean;
  /** Listed, but its content is refused (403 cannotDownloadFile, as Drive answers when downloads are disabled). */
  restricted?: boolean;
}
export interface GoogleDriveDouble {
  url: string;
  files: Map<string, DriveFile>;
  requests: { path: string; query: URLSearchParams; authorized: boolean }[];
  close(): Promise<void>;
}

export async function startGoogleDriveDouble(opts: {
  token: string;
  files: DriveFile[];
}): Promise<GoogleDriveDouble> {
  const files = new Map(opts.files.map((f) => [f.id, f]));
  const requests: GoogleDriveDouble['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const authorized = req.headers.authorization === `Bearer ${opts.token}`;
    requests.push({ path: url.pathname, query: url.searchParams, authorized });
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const error = (status: number, reason: string) =>
      json(status, { error: { code: status, errors: [{ reason }] } });
    if (!authorized) return error(401, 'authError');
    if (url.pathname === '/drive/v3/files') {
      const q = /^'([^']+)' in parents and trashed=false$/.exec(url.searchParams.get('q') ?? '');
      if (!q) return error(400, 'invalidQuery');
      const listed = [...files.values()].filter((f) => f.parent === q[1] && !f.trashed);
      const pageSize = Number(url.searchParams.get('pageSize') ?? 100);
      const offset = Number(url.searchParams.get('pageToken') ?? 0);
      const page = listed.slice(offset, offset + pageSize);
      return json(200, {
        ...(offset + pageSize < listed.length ? { nextPageToken: String(offset + pageSize) } : {}),
        files: page.map((f) => ({
          id: f.id,
          name: f.name,
          mimeType: f.mimeType,
          modifiedTime: f.modifiedTime ?? '2026-01-01T00:00:00.000Z',
          ...(f.mimeType.startsWith('application/vnd.google-apps.') ? {} : { md5Checksum: 'md5' }),
        })),
      });
    }
    const m = /^\/drive\/v3\/files\/([^/]+)(\/export)?$/.exec(url.pathname);
    const file = m ? files.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !file) return error(404, 'notFound');
    const workspace = file.mimeType.startsWith('application/vnd.google-apps.');
    if (file.restricted) return error(403, 'cannotDownloadFile');
    if (m[2]) {
      if (!workspace) return error(403, 'fileNotExportable');
      return res
        .writeHead(200, { 'content-type': url.searchParams.get('mimeType') ?? 'text/plain' })
        .end(file.content);
    }
    if (url.searchParams.get('alt') !== 'media') return json(200, { id: file.id, name: file.name });
    if (workspace) return error(403, 'fileNotDownloadable');
    res.writeHead(200, { 'content-type': file.mimeType }).end(file.content);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    files,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
