import fs from 'node:fs';

/**
 * CPU time of processes from /proc (Linux): utime + stime of /proc/<pid>/stat, in seconds. The clock
 * tick is 100 Hz on every Linux the project runs on (USER_HZ; `getconf CLK_TCK`), which Node cannot ask.
 */
const CLOCK_TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  command: string;
  cpuSeconds: number;
  /** CPU of its children that have exited and been waited for. */
  reapedChildrenCpuSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, cutime 16, cstime 17.
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return { ppid, command, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, reapedChildrenCpuSeconds: childTicks / CLOCK_TICKS_PER_SECOND };
}

/** CPU seconds used so far by `pid` (its threads included, children not); 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  return readStat(pid)?.cpuSeconds ?? 0;
}

/** The processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (readStat(Number(entry))?.ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** CPU seconds of several processes together. */
export function totalCpuSeconds(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/**
 * CPU seconds used so far by every process named `command` (e.g. `postgres`: the postmaster and its
 * backends), plus what their exited children used (a backend that ends moves its time into the
 * postmaster's). The whole server: other databases on it count too.
 */
export function commandCpuSeconds(command: string): number {
  let sum = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.command === command) sum += stat.cpuSeconds + stat.reapedChildrenCpuSeconds;
  }
  return sum;
}
