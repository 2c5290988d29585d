import { readFile } from 'node:fs/promises';
import { residentBytes } from '../src/sandbox/render-process.js';

/** Linux's clock ticks a second (`getconf CLK_TCK`), the unit of /proc/PID/stat's times. */
const TICKS_PER_S = 100;

/** CPU seconds a process has used: its own, and that of the children it has waited for (git, for the app and the local GitHub). */
export interface CpuTime {
  readonly own: number;
  readonly children: number;
}

/** From /proc/PID/stat: utime + stime, and cutime + cstime (fields 14–17, counted after the command's closing parenthesis). */
export async function cpuTime(pid: number | 'self'): Promise<CpuTime> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const at = (field: number) => fields[field - 3] ?? 0;
  return { own: (at(14) + at(15)) / TICKS_PER_S, children: (at(16) + at(17)) / TICKS_PER_S };
}

export function cpuSince(before: CpuTime, after: CpuTime): CpuTime {
  return { own: after.own - before.own, children: after.children - before.children };
}

/** A process's resident set now (VmRSS), in bytes; 0 once it has gone. */
export async function residentSet(pid: number): Promise<number> {
  return (await residentBytes(pid)) ?? 0;
}

/**
 * Samples each process's resident set every second, from `start()` to `stop()`: the peaks of the
 * first and last quarter of the run show whether memory grows with the number of repositories.
 */
export class RssSampler {
  private readonly samples = new Map<number, number[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: readonly number[]) {
    for (const pid of pids) this.samples.set(pid, []);
  }

  start(): void {
    this.timer = setInterval(() => {
      for (const pid of this.pids) void residentSet(pid).then((bytes) => this.samples.get(pid)?.push(bytes));
    }, 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The highest sample in the first and in the last quarter of the run. */
  quarters(pid: number): { first: number; last: number } {
    const samples = this.samples.get(pid) ?? [];
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    return { first: Math.max(0, ...samples.slice(0, quarter)), last: Math.max(0, ...samples.slice(-quarter)) };
  }
}
