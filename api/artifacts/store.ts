import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where artifact bytes live. Keys are opaque paths chosen by the API (`<jobId>/<uuid>`). */
export interface ArtifactStore {
  put(key: string, stream: Readable): Promise<{ size: number; sha256: string }>;
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
}

/** Artifacts as files under a directory; a put writes a temp file and renames it, so readers never see half. */
export function directoryArtifactStore(root: string): ArtifactStore {
  const file = (key: string) => {
    const full = path.resolve(root, key);
    if (!full.startsWith(path.resolve(root) + path.sep)) throw new Error('artifact key escapes the store');
    return full;
  };
  return {
    async put(key, stream) {
      const target = file(key);
      await mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.${randomBytes(4).toString('hex')}.part`;
      const hash = createHash('sha256');
      let size = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(stream, measure, createWriteStream(temp));
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      return { size, sha256: hash.digest('hex') };
    },
    async get(key) {
      return createReadStream(file(key));
    },
    async delete(key) {
      await rm(file(key), { force: true });
    },
  };
}
