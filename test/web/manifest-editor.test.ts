import { describe, expect, it } from 'vitest';
import {
  checkManifestText,
  declaredName,
  issuesByLine,
  issuesOnLines,
  lineOfPath,
  manifestTemplate,
  pathSegments,
  planFigures,
  stageCounts,
} from '../../web/src/lib/manifest-editor.ts';

const valid = manifestTemplate('team-docs');

describe('manifest editor: issues on lines', () => {
  it('reads YAML paths', () => {
    expect(pathSegments('dataSources[0].type')).toEqual(['dataSources', 0, 'type']);
  });

  it('the template is a valid manifest named as asked', () => {
    expect(checkManifestText(valid)).toEqual([]);
    expect(declaredName(valid)).toBe('team-docs');
  });

  it('a wrong reader type is reported on the line of that type', () => {
    const text = valid.replace('type: SimpleDirectoryReader', 'type: FloppyReader');
    const issues = checkManifestText(text);
    const line = text.split('\n').findIndex((l) => l.includes('FloppyReader')) + 1;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'dataSources[0].type', line });
  });

  it('a raw credential is refused on its line, a reference is not', () => {
    const raw = `sk-${'x'.repeat(40)}`;
    const text = valid.replace('env://OPENAI_API_KEY', raw);
    const [issue] = checkManifestText(text);
    expect(issue.path).toBe('embeddings.apiKey');
    expect(issue.line).toBe(text.split('\n').findIndex((l) => l.includes('apiKey')) + 1);
  });

  it('a missing required field lands on its parent; a YAML syntax error on its own line', () => {
    const noModel = valid.replace('  model: text-embedding-3-small\n', '');
    const [issue] = checkManifestText(noModel);
    expect(issue.path).toBe('embeddings.model');
    const embeddingsLine = noModel.split('\n').indexOf('embeddings:') + 1;
    expect(issue.line).toBeGreaterThanOrEqual(embeddingsLine);
    expect(issue.line).toBeLessThanOrEqual(embeddingsLine + 1);

    const broken = 'version: "v0"\nmetadata:\n  name: [unclosed\n';
    const syntax = checkManifestText(broken);
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0].line).not.toBeNull();
  });

  it("the API's issues are placed by path when they carry no line, and keep theirs when they do", () => {
    const placed = issuesOnLines(valid, [
      { path: 'content.vectorStore.indexName', message: 'taken' },
      { path: 'embeddings.apiKey', message: 'raw secret', line: 3 },
    ]);
    expect(placed[0].line).toBe(lineOfPath(valid, 'vectorStore.indexName'));
    expect(placed[0].line).toBe(valid.split('\n').findIndex((l) => l.includes('indexName')) + 1);
    expect(placed[1].line).toBe(3);
    expect([...issuesByLine(placed).keys()].sort()).toEqual([3, placed[0].line].sort());
  });
});

describe('manifest run figures', () => {
  it('plan.json: counts and estimates, unknown as null', () => {
    expect(planFigures({ documents: 3, chunks: 7, estimatedTokens: 900, estimatedCostUsd: 0.01 })).toEqual({
      documents: 3,
      chunks: 7,
      estimatedTokens: 900,
      estimatedCostUsd: 0.01,
    });
    expect(planFigures(null)).toEqual({
      documents: null,
      chunks: null,
      estimatedTokens: null,
      estimatedCostUsd: null,
    });
  });

  it('stage counts from finished events, in pipeline order, the last of a stage winning', () => {
    const rows = stageCounts([
      { type: 'moonmind.manifest.embed.finished', payload: { counts: { chunks: 5 }, durationMs: 40 } },
      { type: 'moonmind.manifest.fetch.started', payload: {} },
      { type: 'moonmind.manifest.fetch.finished', payload: { documents: 2, durationMs: 10 } },
      { type: 'moonmind.manifest.embed.finished', payload: { counts: { chunks: 6 }, durationMs: 50 } },
      { type: 'moonmind.manifest.bogus.finished', payload: { documents: 1 } },
    ]);
    expect(rows).toEqual([
      { stage: 'fetch', counts: { documents: 2 }, durationMs: 10 },
      { stage: 'embed', counts: { chunks: 6 }, durationMs: 50 },
    ]);
  });
});
