import { performance } from 'node:perf_hooks';

/** Wall-clock figures of a few repetitions, in milliseconds. */
export interface Figures {
  readonly median: number;
  readonly min: number;
  readonly runs: number;
}

/**
 * Times `body` `runs` times. `setup` runs before each repetition, untimed (resetting a working
 * tree, emptying a cache), so every repetition starts from the same state.
 */
export async function measure(runs: number, body: () => unknown, setup?: () => Promise<unknown>): Promise<Figures> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    if (setup) await setup();
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const middle = Math.floor(times.length / 2);
  const median = times.length % 2 === 1 ? times[middle]! : (times[middle - 1]! + times[middle]!) / 2;
  return { median, min: times[0]!, runs };
}

export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** `median / min` in ms. */
export function cell(figures: Figures | undefined): string {
  return figures ? `${ms(figures.median)} / ${ms(figures.min)}` : 'n/a';
}

/** Rows as aligned columns; the first row is the header. Columns after the first align right. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row.map((text, column) => (column === 0 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!))).join('  ');
  return [line(rows[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
