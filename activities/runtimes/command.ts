/**
 * A configured runtime command (`MOONMIND_CODEX_COMMAND` etc.) split into executable + leading args, so
 * `codex`, `/opt/bin/codex` and `node /path/fake-agent.mjs` all work. Single or double quotes group words.
 */
export function splitCommand(command: string): { file: string; args: string[] } {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of command.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3]);
  if (words.length === 0) throw new Error('runtime command is empty');
  return { file: words[0], args: words.slice(1) };
}
