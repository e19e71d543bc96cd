import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSource } from '../../activities/manifest/fetch.ts';
import {
  isUnreadable,
  type Reader,
  type ReaderContext,
  type SourceDocument,
  type UnreadableDocument,
} from '../../activities/manifest/interfaces.ts';
import {
  forgeSettingsFrom,
  ReaderParamsError,
  readerFor,
  validateReaderParams,
} from '../../activities/manifest/readers/index.ts';
import { LineWriter } from '../../activities/manifest/workspace.ts';
import type { DataSource } from '../../contracts/manifest.ts';
import { parseManifest } from '../../contracts/manifest-parse.ts';
import { startConfluenceDouble } from '../fakes/confluence-double.ts';
import { startGoogleDriveDouble } from '../fakes/gdrive-double.ts';
import { createGitRemote } from '../support/git.ts';
import { makeCertificate, startHttpsGit } from '../support/https-git.ts';
import { changeCorpus, writeCorpus } from './corpus.ts';

const run = promisify(execFile);
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});
const scratch = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mm-readers-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
};

function context(source: DataSource, workDir: string, secrets: Record<string, string> = {}): ReaderContext {
  const lines: string[] = [];
  return { source, workDir, secret: async (n) => secrets[n], log: (l) => lines.push(l) };
}
async function read(reader: Reader): Promise<SourceDocument[]> {
  const docs: SourceDocument[] = [];
  for await (const d of reader.documents(new AbortController().signal)) {
    if (isUnreadable(d)) throw new Error(`unexpected unreadable ${d.sourceDocId}: ${d.error}`);
    docs.push(d);
  }
  return docs;
}
const source = (
  type: DataSource['type'],
  params: Record<string, unknown>,
  auth: Record<string, string> = {},
) => ({ id: 'src', type, params, auth }) as DataSource;

describe('SimpleDirectoryReader', () => {
  it('reads the files the globs select, ids are relative paths, binaries and oversized files skipped', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'guides/deep'), { recursive: true });
    await writeFile(join(dir, 'README.md'), '# Readme\n');
    await writeFile(join(dir, 'guides/setup.md'), 'Set up.\n');
    await writeFile(join(dir, 'guides/deep/page.html'), '<p>Deep</p>');
    await writeFile(join(dir, 'guides/draft.md'), 'draft');
    await writeFile(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
    await writeFile(join(dir, 'big.txt'), 'x'.repeat(2_000));
    const src = source('SimpleDirectoryReader', { path: dir, exclude: ['**/draft.md'], maxFileBytes: 1_000 });
    const docs = await read(readerFor(src, context(src, dir)));
    expect(docs.map((d) => d.sourceDocId)).toEqual(['README.md', 'guides/deep/page.html', 'guides/setup.md']);
    expect(docs.find((d) => d.sourceDocId === 'guides/deep/page.html')?.mimeType).toBe('text/html');
    expect(docs[0]).toMatchObject({ text: '# Readme\n', metadata: { path: 'README.md' } });

    const mdOnly = source('SimpleDirectoryReader', { path: dir, include: '**/*.md', recursive: false });
    expect((await read(readerFor(mdOnly, context(mdOnly, dir)))).map((d) => d.sourceDocId)).toEqual([
      'README.md',
    ]);
  });

  it('hashes are sha256 of the content, stable across runs, and change only with the content', async () => {
    const dir = await scratch();
    await writeCorpus(dir, 20);
    const src = source('SimpleDirectoryReader', { path: dir });
    const first = await read(readerFor(src, context(src, dir)));
    const again = await read(readerFor(src, context(src, dir)));
    expect(first).toHaveLength(20);
    expect(again.map((d) => d.hash)).toEqual(first.map((d) => d.hash));
    expect(first[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first[0]!.text.length).toBeGreaterThan(4_500);

    const changed = await changeCorpus(dir, 20, 10);
    const after = await read(readerFor(src, context(src, dir)));
    const differing = after.filter((d, i) => d.hash !== first[i]!.hash).map((d) => d.sourceDocId);
    expect(differing).toEqual(changed);
    expect(differing).toHaveLength(2);
  });
});

describe('reader params', () => {
  it('errors name the YAML path of the field, and unknown keys are refused', () => {
    const bad = source('SimpleDirectoryReader', { include: 3, recursive: 'yes', colour: 'blue' });
    expect(validateReaderParams(bad, 2).map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'dataSources[2].params.path',
        'dataSources[2].params.include',
        'dataSources[2].params.recursive',
        'dataSources[2].params.colour',
      ]),
    );
    const conf = source('ConfluenceReader', { baseUrl: 'not a url', spaceKey: 'DOCS' });
    expect(validateReaderParams(conf, 0).map((i) => i.path)).toEqual([
      'dataSources[0].params.baseUrl',
      'dataSources[0].auth.token',
    ]);
    const injected = source(
      'ConfluenceReader',
      { baseUrl: 'https://wiki.example.com', spaceKey: 'A" OR space = "B' },
      { token: 'env://T' },
    );
    expect(validateReaderParams(injected, 0).map((i) => i.path)).toEqual(['dataSources[0].params.spaceKey']);
    const drive = source(
      'GoogleDriveReader',
      { folderId: "x' or name contains '" },
      { token: 'env://DRIVE' },
    );
    expect(validateReaderParams(drive, 1).map((i) => i.path)).toEqual(['dataSources[1].params.folderId']);
    const git = source('GithubRepositoryReader', { repository: 'acme/docs', ref: '--upload-pack=x' });
    expect(validateReaderParams(git, 0).map((i) => i.path)).toEqual(['dataSources[0].params.ref']);
    expect(validateReaderParams(source('GithubRepositoryReader', { repository: 'acme/docs' }), 0)).toEqual(
      [],
    );
    expect(() => readerFor(bad, context(bad, tmpdir()))).toThrow(ReaderParamsError);
    expect(() => readerFor(bad, context(bad, tmpdir()))).toThrow(/dataSources\[0\]\.params\.path/);
  });
});

describe('reader params in a submitted manifest', () => {
  it('the manifest check reports them by YAML path and line, like its own issues', () => {
    const yaml = [
      'version: v0',
      'metadata: { name: wiki }',
      'embeddings: { provider: ollama, model: nomic-embed-text }',
      'vectorStore: { type: pgvector, indexName: wiki }',
      'dataSources:',
      '  - id: local',
      '    type: SimpleDirectoryReader',
      '    params: { path: ./docs }',
      '  - id: wiki',
      '    type: ConfluenceReader',
      '    params:',
      '      baseUrl: https://wiki.example.com',
      '      spacekey: ENG',
      '',
    ].join('\n');
    const result = parseManifest(yaml);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.path, i.line])).toEqual([
      ['dataSources[1].params.spaceKey', 12],
      ['dataSources[1].params.spacekey', 13],
      ['dataSources[1].auth.token', 9],
    ]);
    expect(
      parseManifest(
        yaml.replace('spacekey: ENG', 'spaceKey: ENG').concat('    auth: { token: env://WIKI }\n'),
      ).ok,
    ).toBe(true);
  });
});

describe('GithubRepositoryReader', () => {
  it('reads a real remote at a ref through the forge settings, filtered by paths, with the commit as cursor', async () => {
    const remote = await createGitRemote(['acme/docs'], {
      'README.md': '# Docs\n',
      'notes.txt': 'not docs\n',
    });
    cleanup.push(() => rm(remote.root, { recursive: true, force: true }));
    // A second commit on main (docs/ added, README edited), and a tag at the first.
    const seed = await scratch();
    const g = (...args: string[]) =>
      run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: seed }).then((r) =>
        r.stdout.trim(),
      );
    await g('clone', '-q', remote.bareRepo('acme/docs'), '.');
    const first = await g('rev-parse', 'HEAD');
    await g('tag', 'v1');
    await mkdir(join(seed, 'docs/api'), { recursive: true });
    await writeFile(join(seed, 'docs/intro.md'), 'Intro\n');
    await writeFile(join(seed, 'docs/api/ref.md'), 'Reference\n');
    await writeFile(join(seed, 'docs/api/diagram.bin'), Buffer.from([1, 0, 2, 0]));
    await writeFile(join(seed, 'README.md'), '# Docs v2\n');
    await g('add', '-A');
    await g('commit', '-q', '-m', 'docs');
    await g('push', '-q', 'origin', 'main', 'v1');
    const second = await g('rev-parse', 'HEAD');

    const forge = forgeSettingsFrom({ MOONMIND_GIT_BASE_URL: remote.baseUrl });
    const work = await scratch();
    const head = source('GithubRepositoryReader', {
      repository: 'acme/docs',
      paths: ['docs/**', 'README.md'],
    });
    const reader = readerFor(head, context(head, work), forge);
    const docs = await read(reader);
    expect(docs.map((d) => d.sourceDocId)).toEqual(['README.md', 'docs/api/ref.md', 'docs/intro.md']);
    expect(docs[0]).toMatchObject({
      text: '# Docs v2\n',
      metadata: { commit: second, repository: 'acme/docs' },
    });
    expect(reader.cursor()).toBe(second);

    const tagged = source('GithubRepositoryReader', { repository: 'acme/docs', ref: 'v1' });
    const old = readerFor(tagged, context(tagged, work), forge);
    const oldDocs = await read(old);
    expect(oldDocs.map((d) => [d.sourceDocId, d.text])).toEqual([
      ['README.md', '# Docs\n'],
      ['notes.txt', 'not docs\n'],
    ]);
    expect(old.cursor()).toBe(first);
    // Same content, same hash: the unchanged README of a re-read commit hashes as before.
    const again = await read(readerFor(tagged, context(tagged, work), forge));
    expect(again.map((d) => d.hash)).toEqual(oldDocs.map((d) => d.hash));
  });

  it('over HTTPS to a listed forge, the token goes only as a header: not in argv, the URL or the clone', async () => {
    const remote = await createGitRemote(['acme/wiki'], { 'guide.md': 'Guide\n' });
    cleanup.push(() => rm(remote.root, { recursive: true, force: true }));
    const cert = await makeCertificate();
    const forgeHost = await startHttpsGit(remote.root, cert, 'localhost');
    cleanup.push(() => forgeHost.close());
    const saved = process.env.GIT_SSL_CAINFO;
    process.env.GIT_SSL_CAINFO = cert.certFile;
    cleanup.push(async () => {
      if (saved === undefined) delete process.env.GIT_SSL_CAINFO;
      else process.env.GIT_SSL_CAINFO = saved;
    });
    const token = ['wiki', 'read', String(Date.now())].join('-');
    const forge = forgeSettingsFrom({ MOONMIND_GIT_HOSTS: forgeHost.host });
    const work = await scratch();
    const src = source(
      'GithubRepositoryReader',
      { repository: `${forgeHost.url}/acme/wiki` },
      { token: 'env://WIKI_GIT' },
    );
    const ctx = context(src, work, { token });
    const lines: string[] = [];
    ctx.log = (l) => lines.push(l);
    const docs = await read(readerFor(src, ctx, forge));
    expect(docs.map((d) => [d.sourceDocId, d.text])).toEqual([['guide.md', 'Guide\n']]);
    const basic = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    expect(forgeHost.requests.some((r) => r.authorization === basic)).toBe(true);
    expect(lines.join('\n')).not.toContain(token);
    const config = await readFile(join(work, 'src.git', 'config'), 'utf8');
    expect(config).not.toContain(token);
    expect(config).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64'));

    // Without a source token: the listed forge's own `token=` reference, as for tasks.
    const hostToken = ['wiki', 'host', String(Date.now())].join('-');
    const listed = forgeSettingsFrom({ MOONMIND_GIT_HOSTS: `${forgeHost.host};token=env://WIKI_HOST_TOKEN` });
    const anonymous = source('GithubRepositoryReader', { repository: `${forgeHost.url}/acme/wiki` });
    const hostDocs = await read(
      readerFor(anonymous, context(anonymous, work), listed, {
        WIKI_HOST_TOKEN: hostToken,
        PATH: process.env.PATH,
      }),
    );
    expect(hostDocs.map((d) => d.hash)).toEqual(docs.map((d) => d.hash));
    const hostBasic = `Basic ${Buffer.from(`x-access-token:${hostToken}`).toString('base64')}`;
    expect(forgeHost.requests.some((r) => r.authorization === hostBasic)).toBe(true);
  });

  it('refuses a repository on a forge the worker does not allow', async () => {
    const src = source('GithubRepositoryReader', { repository: 'https://forge.invalid/acme/docs' });
    const work = await scratch();
    await expect(read(readerFor(src, context(src, work), forgeSettingsFrom({})))).rejects.toThrow(
      /not a forge this deployment uses/,
    );
  });
});

describe('ConfluenceReader', () => {
  const pages = Array.from({ length: 5 }, (_, i) => ({
    id: String(1000 + i),
    title: `Page ${i}`,
    html: `<h1>Page ${i}</h1><p>Body ${i}</p>`,
    version: 1,
  }));
  // Built at runtime: no credential-shaped literal in the test file.
  const token = ['conf', 'token', String(Date.now())].join('-');

  it('pages through _links.next with Cloud basic auth, one document per page', async () => {
    const basic = `Basic ${Buffer.from(`me@example.com:${token}`).toString('base64')}`;
    const double = await startConfluenceDouble({ spaceKey: 'DOCS', authorization: basic, pages });
    cleanup.push(() => double.close());
    const src = source(
      'ConfluenceReader',
      { baseUrl: double.url, spaceKey: 'DOCS', email: 'me@example.com', pageSize: 2 },
      { token: 'env://CONFLUENCE_TOKEN' },
    );
    const docs = await read(readerFor(src, context(src, tmpdir(), { token })));
    expect(docs.map((d) => d.sourceDocId)).toEqual(['1000', '1001', '1002', '1003', '1004']);
    expect(docs[0]).toMatchObject({
      mimeType: 'text/html',
      text: '<h1>Page 0</h1><p>Body 0</p>',
      metadata: { title: 'Page 0', version: 1, url: `${double.url}/wiki/spaces/DOCS/pages/1000` },
    });
    expect(double.requests.map((r) => r.query.get('start'))).toEqual(['0', '2', '4']);
    expect(
      double.requests.every((r) => r.authorized && r.query.get('expand') === 'body.storage,version'),
    ).toBe(true);

    // An edited page: new version, new hash; the others hash as before.
    double.pages.set('1002', { ...pages[2]!, html: '<p>edited</p>', version: 2 });
    const after = await read(readerFor(src, context(src, tmpdir(), { token })));
    expect(after.filter((d, i) => d.hash !== docs[i]!.hash).map((d) => d.sourceDocId)).toEqual(['1002']);
  });

  it('sends the token as a bearer without email, scopes CQL to the space, and fails on a refused token', async () => {
    const double = await startConfluenceDouble({ spaceKey: 'ENG', authorization: `Bearer ${token}`, pages });
    cleanup.push(() => double.close());
    const src = source(
      'ConfluenceReader',
      { baseUrl: double.url, spaceKey: 'ENG', cql: 'label = "runbook"' },
      { token: 'env://CONFLUENCE_TOKEN' },
    );
    expect(await read(readerFor(src, context(src, tmpdir(), { token })))).toHaveLength(5);
    expect(double.requests[0]!.path).toBe('/wiki/rest/api/content/search');
    expect(double.requests[0]!.query.get('cql')).toBe('space = "ENG" AND (label = "runbook")');

    const refused = read(readerFor(src, context(src, tmpdir(), { token: `${token}-wrong` })));
    await expect(refused).rejects.toThrow(/answered 401/);
    await expect(refused).rejects.not.toThrow(new RegExp(token));
  });
});

describe('GoogleDriveReader', () => {
  const token = ['drive', 'token', String(Date.now())].join('-');
  const files = [
    {
      id: 'doc1',
      name: 'Design',
      mimeType: 'application/vnd.google-apps.document',
      parent: 'F1',
      content: 'Design doc',
    },
    { id: 'txt1', name: 'notes.txt', mimeType: 'text/plain', parent: 'F1', content: 'Plain notes' },
    { id: 'md1', name: 'guide.md', mimeType: 'text/markdown', parent: 'F1', content: '# Guide' },
    { id: 'dir1', name: 'Sub', mimeType: 'application/vnd.google-apps.folder', parent: 'F1', content: '' },
    { id: 'bin1', name: 'a.png', mimeType: 'image/png', parent: 'F1', content: 'PNG\0\0' },
    { id: 'gone', name: 'old.txt', mimeType: 'text/plain', parent: 'F1', content: 'old', trashed: true },
    { id: 'other', name: 'x.txt', mimeType: 'text/plain', parent: 'F2', content: 'elsewhere' },
  ];

  it('lists a folder page by page, exports Google Docs as text, downloads the rest, skips folders and binaries', async () => {
    const double = await startGoogleDriveDouble({ token, files });
    cleanup.push(() => double.close());
    const src = source(
      'GoogleDriveReader',
      { folderId: 'F1', apiBaseUrl: double.url, pageSize: 2 },
      { token: 'env://GDRIVE' },
    );
    const docs = await read(readerFor(src, context(src, tmpdir(), { token })));
    expect(docs.map((d) => [d.sourceDocId, d.mimeType, d.text])).toEqual([
      ['doc1', 'text/plain', 'Design doc'],
      ['txt1', 'text/plain', 'Plain notes'],
      ['md1', 'text/markdown', '# Guide'],
    ]);
    expect(docs[0]!.metadata).toMatchObject({
      title: 'Design',
      driveMimeType: 'application/vnd.google-apps.document',
    });
    const lists = double.requests.filter((r) => r.path === '/drive/v3/files');
    expect(lists.map((r) => r.query.get('pageToken'))).toEqual([null, '2', '4']);
    expect(lists[0]!.query.get('fields')).toBe(
      'nextPageToken,files(id,name,mimeType,md5Checksum,modifiedTime)',
    );
    expect(double.requests.find((r) => r.path === '/drive/v3/files/doc1/export')?.query.get('mimeType')).toBe(
      'text/plain',
    );
    expect(double.requests.every((r) => r.authorized)).toBe(true);

    const onlyDocs = source(
      'GoogleDriveReader',
      { folderId: 'F1', apiBaseUrl: double.url, mimeTypes: ['application/vnd.google-apps.document'] },
      { token: 'env://GDRIVE' },
    );
    expect(
      (await read(readerFor(onlyDocs, context(onlyDocs, tmpdir(), { token })))).map((d) => d.sourceDocId),
    ).toEqual(['doc1']);
    await expect(read(readerFor(src, context(src, tmpdir(), { token: 'nope' })))).rejects.toThrow(
      /answered 401/,
    );
  });

  it('reports a listed file whose download is refused as unreadable; the diff keeps its previous hash and its points', async () => {
    const double = await startGoogleDriveDouble({
      token,
      files: [
        { id: 'ok', name: 'ok.txt', mimeType: 'text/plain', parent: 'F1', content: 'fine' },
        { id: 'locked', name: 'l.txt', mimeType: 'text/plain', parent: 'F1', content: 'x', restricted: true },
        {
          id: 'new-locked',
          name: 'n.txt',
          mimeType: 'text/plain',
          parent: 'F1',
          content: 'y',
          restricted: true,
        },
      ],
    });
    cleanup.push(() => double.close());
    const src = source(
      'GoogleDriveReader',
      { folderId: 'F1', apiBaseUrl: double.url },
      { token: 'env://GDRIVE' },
    );
    const dir = await mkdtemp(join(tmpdir(), 'mm-unreadable-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const out = new LineWriter(join(dir, 'docs.jsonl'));
    const diff = await diffSource({
      dataSourceId: 'drive',
      reader: readerFor(src, context(src, dir, { token })),
      checkpoint: { cursor: null, docs: { locked: 'old-hash' }, lastRunJobId: null, lastSuccessAt: null },
      forceFull: false,
      budget: Number.POSITIVE_INFINITY,
      out,
      signal: new AbortController().signal,
      progress: () => {},
    });
    await out.close();
    expect(diff.errors.map((e: UnreadableDocument) => e.sourceDocId)).toEqual(['locked', 'new-locked']);
    expect(diff.errors[0]!.error).toMatch(/answered 403/);
    // Neither changed nor vanished: the locked file's points stay; the next run tries both again.
    expect(diff.changed).toEqual(['ok']);
    expect(diff.vanished).toEqual([]);
    expect(diff.checkpoint.docs).toEqual({ ok: expect.any(String), locked: 'old-hash' });
  });
});
