import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactView } from '../../contracts/artifacts.ts';
import { type Command, jobIdArg, str } from '../command.ts';
import { CliError, exitCodes, usageError } from '../exit-codes.ts';
import type { ApiClient } from '../http.ts';
import { note, print, printJson, table } from '../output.ts';

const listOf = async (api: ApiClient, jobId: string) =>
  (await api.get<{ items: ArtifactView[] }>(`/api/queue/jobs/${jobId}/artifacts`)).items;

export const artifacts: Command = {
  usage: 'moonmind artifacts JOB_ID [--json]',
  options: { json: { type: 'boolean' } },
  async run({ positionals, values, api }) {
    const items = await listOf(api(), jobIdArg(positionals, artifacts.usage));
    if (values.json) return void printJson(items);
    if (!items.length) return void note('no artifacts');
    for (const line of table([
      ['NAME', 'SIZE', 'TYPE', 'ID'],
      ...items.map((a) => [a.name, String(a.size), a.contentType, a.id]),
    ]))
      print(line);
  },
};

/**
 * Download one artifact (by name or id) to a file, `-o -` for standard output. The bytes are checked against
 * the artifact's SHA-256 and a file only appears complete: it is written beside and renamed when it matches.
 */
export const download: Command = {
  usage: 'moonmind download JOB_ID NAME|ARTIFACT_ID [-o FILE|-]',
  options: { output: { type: 'string', short: 'o' } },
  async run({ positionals, values, api }) {
    const jobId = jobIdArg(positionals, download.usage);
    const wanted = positionals[1];
    if (!wanted) throw usageError(`give the artifact's name or id\nusage: ${download.usage}`);
    const items = await listOf(api(), jobId);
    const artifact = items.find((a) => a.name === wanted || a.id === wanted);
    if (!artifact)
      throw new CliError(
        `job ${jobId} has no artifact ${wanted} (see: moonmind artifacts ${jobId})`,
        exitCodes.api,
      );
    const res = await api().fetch(artifact.downloadUrl);
    if (!res.body) throw new CliError('the download had no body', exitCodes.api);
    const out = str(values.output) ?? path.basename(artifact.name);
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    const partial = `${out}.part`;
    await pipeline(body, hashing, out === '-' ? process.stdout : createWriteStream(partial), {
      end: out !== '-',
    });
    const intact = hash.digest('hex') === artifact.sha256;
    if (out !== '-') await (intact ? rename(partial, out) : rm(partial, { force: true }));
    if (!intact)
      throw new CliError(
        `the download of ${artifact.name} does not match its SHA-256; try again`,
        exitCodes.api,
      );
    if (out !== '-') note(`${artifact.name} → ${out} (${artifact.size} bytes)`);
  },
};
