import type { Reader, ReaderContext, SourceDocument, UnreadableDocument } from '../interfaces.ts';
import { looksBinary, ReaderError, sourceDocument } from './document.ts';
import { getFrom, getJson } from './http.ts';
import type { GoogleDriveParams } from './params.ts';

interface FileList {
  nextPageToken?: string;
  files: { id: string; name: string; mimeType: string; md5Checksum?: string; modifiedTime?: string }[];
}

/** Google Workspace files have no bytes of their own: each is exported as text. */
const exports: Record<string, string> = {
  'application/vnd.google-apps.document': 'text/plain',
  'application/vnd.google-apps.presentation': 'text/plain',
  'application/vnd.google-apps.spreadsheet': 'text/csv',
};

/** The files directly in a Drive folder (Drive API v3, OAuth bearer token), paging with `nextPageToken`. */
export class GoogleDriveReader implements Reader {
  constructor(
    private readonly params: GoogleDriveParams,
    private readonly ctx: ReaderContext,
  ) {}

  async *documents(signal: AbortSignal): AsyncIterable<SourceDocument | UnreadableDocument> {
    const token = await this.ctx.secret('token');
    if (!token) throw new ReaderError('GoogleDriveReader: auth.token resolved to nothing', false);
    const headers = { authorization: `Bearer ${token}` };
    const base = new URL(this.params.apiBaseUrl);
    const api = `${base.origin}${base.pathname.replace(/\/+$/, '')}/drive/v3/files`;
    let skipped = 0;
    let pageToken: string | undefined;
    do {
      const url = new URL(api);
      url.searchParams.set('q', `'${this.params.folderId}' in parents and trashed=false`);
      url.searchParams.set('fields', 'nextPageToken,files(id,name,mimeType,md5Checksum,modifiedTime)');
      url.searchParams.set('pageSize', String(this.params.pageSize));
      if (pageToken) url.searchParams.set('pageToken', pageToken);
      const list = await getJson<FileList>(base.origin, url, headers, signal);
      for (const f of list.files) {
        if (this.params.mimeTypes && !this.params.mimeTypes.includes(f.mimeType)) continue;
        const exportAs = exports[f.mimeType];
        // Folders, forms, drawings…: nothing to read as text.
        if (!exportAs && f.mimeType.startsWith('application/vnd.google-apps.')) continue;
        const content = new URL(`${api}/${encodeURIComponent(f.id)}${exportAs ? '/export' : ''}`);
        if (exportAs) content.searchParams.set('mimeType', exportAs);
        else content.searchParams.set('alt', 'media');
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await (await getFrom(base.origin, content, headers, signal)).arrayBuffer());
        } catch (err) {
          signal.throwIfAborted();
          // One file the listing shows but that cannot be fetched: the engine's error policy decides.
          yield { sourceDocId: f.id, error: (err as Error).message };
          continue;
        }
        if (bytes.length > this.params.maxFileBytes || looksBinary(bytes)) {
          skipped++;
          continue;
        }
        yield sourceDocument(f.id, Buffer.from(bytes).toString('utf8'), exportAs ?? f.mimeType, {
          title: f.name,
          driveMimeType: f.mimeType,
          modifiedTime: f.modifiedTime ?? '',
          url: `https://drive.google.com/open?id=${f.id}`,
        });
      }
      pageToken = list.nextPageToken;
    } while (pageToken);
    if (skipped) this.ctx.log(`GoogleDriveReader: skipped ${skipped} binary or oversized file(s)`);
  }

  cursor(): string | null {
    return null;
  }
}
