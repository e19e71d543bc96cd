import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface Skill {
  id: string;
  title: string;
  description: string;
  requiredCapabilities: string[];
}

export interface SkillCatalog {
  list(): Promise<Skill[]>;
  /** Capabilities a skill declares, for normalizeJob (unknown skills declare none). */
  capabilities(): Promise<(skillId: string) => string[]>;
}

/**
 * The skills directory: one folder per skill (`<dir>/<id>/SKILL.md`), whose front matter may give `title`,
 * `description` and `requiredCapabilities`. Re-read at most every few seconds so new skills appear without
 * a restart.
 */
export function skillCatalog(dir: string, cacheMs = 5_000): SkillCatalog {
  let cached: { at: number; skills: Promise<Skill[]> } | null = null;
  const list = () => {
    if (!cached || Date.now() - cached.at > cacheMs) cached = { at: Date.now(), skills: readSkills(dir) };
    return cached.skills;
  };
  return {
    list,
    async capabilities() {
      const byId = new Map((await list()).map((s) => [s.id, s.requiredCapabilities]));
      return (id) => byId.get(id) ?? [];
    },
  };
}

async function readSkills(dir: string): Promise<Skill[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const skills: Skill[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !/^[A-Za-z0-9_.-]+$/.test(entry.name)) continue;
    const text = await readFile(path.join(dir, entry.name, 'SKILL.md'), 'utf8').catch(() => null);
    if (text === null) continue;
    const meta = frontMatter(text);
    skills.push({
      id: entry.name,
      title: meta.title?.[0] ?? entry.name,
      description: meta.description?.[0] ?? '',
      requiredCapabilities: (meta.requiredCapabilities ?? []).map((c) => c.toLowerCase()),
    });
  }
  return skills.sort((a, b) => a.id.localeCompare(b.id));
}

/** `key: value`, `key: [a, b]` and `key:` followed by `- item` lines; values unquoted. */
export function frontMatter(text: string): Record<string, string[]> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  const out: Record<string, string[]> = {};
  if (!match) return out;
  let listKey: string | null = null;
  for (const line of match[1].split(/\r?\n/)) {
    const item = /^\s+-\s+(.*)$/.exec(line);
    if (item && listKey) {
      out[listKey].push(unquote(item[1]));
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9_]*):\s*(.*)$/.exec(line);
    if (!kv) continue;
    const [, key, raw] = kv;
    const value = raw.trim();
    listKey = value === '' ? key : null;
    out[key] = value === '' ? [] : value.startsWith('[') ? splitList(value.slice(1, -1)) : [unquote(value)];
  }
  return out;
}

const unquote = (v: string) => v.trim().replace(/^(['"])(.*)\1$/, '$2');
const splitList = (v: string) => v.split(',').map(unquote).filter(Boolean);
