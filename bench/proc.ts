// Readings from /proc about the server under test. They cover the server's
// whole process tree, so a server that forks workers (--workers, later) is
// measured in full: CPU and RSS of every process, run-queue wait of each
// process's main thread.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on

/** `root` and all its descendants, from each process's parent in /proc/<pid>/stat. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(entry)?.[1]);
    if (!Number.isNaN(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

// The fields after "(name)" (which may hold spaces): [0] is state, [1] ppid, [11] utime, [12] stime.
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process just ended
  }
}

/** CPU seconds (user + system, all threads) used so far by these processes. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Seconds the processes' main threads spent runnable but without a CPU, and
 * how many times they were scheduled in (fields 2 and 3 of
 * /proc/<pid>/schedstat). Each wake-up costs some µs of that wait even on an
 * idle CPU; longer waits mean something else was running.
 */
export function runQueue(pids: readonly (number | 'self')[]): { waitSeconds: number; slices: number } {
  let ns = 0;
  let slices = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/schedstat`, 'latin1').split(' ');
      ns += Number(fields[1]);
      slices += Number(fields[2]);
    } catch {
      return { waitSeconds: NaN, slices: NaN }; // a kernel without schedstats
    }
  }
  return { waitSeconds: ns / 1e9, slices };
}

/** Resident memory in bytes (VmRSS of /proc/<pid>/status), summed over the processes. */
export function rssBytes(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    const value = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    if (value === undefined) throw new Error(`no VmRSS for pid ${pid}`);
    kib += Number(value);
  }
  return kib * 1024;
}

/** Cpus_allowed_list of a process: "0" when pinned to core 0, "0-1" when free. */
export function allowedCpus(pid: number): string {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The CPUs a "0-2,5" style list names, in order. */
export function parseCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to)) return [];
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}
