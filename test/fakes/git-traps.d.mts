/** Types of git-traps.mjs (plain JavaScript: the fake agent imports it without a TypeScript loader). */
export function plantGitTraps(repoDir: string, markerDir: string): void;
