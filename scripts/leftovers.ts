import { readFile, writeFile } from 'node:fs/promises';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A launcher killed without its Ctrl-C handler (SIGKILL, a closed terminal) leaves its children running on
 * the data dir. Before starting a service again, stop the process recorded in `pidFile` when it is still
 * alive and its command line names `marker` (so a recycled pid is never touched).
 */
export async function stopLeftover(
  pidFile: string,
  marker: string,
  log?: (line: string) => void,
): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
  if (!pid || !alive(pid)) return;
  const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
  if (!cmdline.includes(marker)) return;
  log?.(`stopping a leftover process ${pid} from an earlier start`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export const recordPid = (pidFile: string, pid: number | undefined) =>
  pid ? writeFile(pidFile, `${pid}\n`) : Promise.resolve();
