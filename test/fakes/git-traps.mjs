/**
 * What a hostile agent can leave in its checkout's `.git` to run code when someone else runs git there:
 * hooks, an included config that moves hooksPath, core.fsmonitor, a clean/smudge filter named by
 * .gitattributes, a credential helper, an ssh command and a textconv driver. Every trap writes the
 * environment it ran with to `<markerDir>/<trap>`, so a test can tell whether (and with which credential) it
 * ran. Used by the fake agent (directive FAKE_GIT_TRAPS=<markerDir>) and by the test that proves the traps
 * fire under plain git.
 */
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const hooks = [
  'pre-commit',
  'commit-msg',
  'post-commit',
  'pre-push',
  'post-checkout',
  'reference-transaction',
  'pre-auto-gc',
];

export function plantGitTraps(repoDir, markerDir) {
  const gitDir = resolve(repoDir, '.git');
  const traps = join(gitDir, 'traps');
  mkdirSync(join(traps, 'hooks'), { recursive: true });
  const script = (name, body = '') => {
    const file = join(traps, `${name}.sh`);
    writeFileSync(file, `#!/bin/sh\nenv > '${markerDir}/${name}'\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  for (const hook of hooks) {
    for (const dir of [join(gitDir, 'hooks'), join(traps, 'hooks')]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, hook), `#!/bin/sh\nenv > '${markerDir}/hook-${hook}'\n`);
      chmodSync(join(dir, hook), 0o755);
    }
  }
  writeFileSync(join(traps, 'included.config'), `[core]\n\thooksPath = ${join(traps, 'hooks')}\n`);
  appendFileSync(
    join(gitDir, 'config'),
    [
      '[core]',
      `\tfsmonitor = ${script('fsmonitor')}`,
      `\tsshCommand = ${script('ssh-command')}`,
      '[filter "trap"]',
      `\tclean = ${script('clean-filter', 'cat')}`,
      `\tsmudge = ${script('smudge-filter', 'cat')}`,
      '[diff "trap"]',
      `\ttextconv = ${script('textconv', 'cat "$1"')}`,
      '[credential]',
      `\thelper = !${script('credential-helper')}`,
      '[include]',
      `\tpath = ${join(traps, 'included.config')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(repoDir, '.gitattributes'), '* filter=trap diff=trap\n');
}
