import { readdirSync, readFileSync } from 'node:fs';
import { groupAlive } from '../../runtimes/process-group.ts';

/**
 * Whether a process of the group `pgid` is still running. `kill(-pgid, 0)` also counts zombies: a killed
 * process whose parent (often init, for a service's orphans) has not reaped it yet, which some inits do
 * seconds later. On Linux /proc tells the states apart, so a stopped group is seen gone at once; elsewhere
 * the signal answers.
 */
export function groupRunning(pgid: number): boolean {
  if (!groupAlive(pgid)) return false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}
