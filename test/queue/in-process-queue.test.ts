import { describe, expect, it } from 'vitest';
import { InProcessQueue, type InProcessQueueOptions } from '../../src/queue/in-process-queue.js';
import { JobDeadlineError, JobDroppedError } from '../../src/queue/job-errors.js';

/** A job that runs until the test lets it finish (or its signal aborts it), and says what it saw. */
class Gate {
  readonly started: string[] = [];
  readonly aborted: string[] = [];
  private readonly open = new Map<string, () => void>();

  job(installation: number, repository: string, name: string, options: { stopOnAbort?: boolean } = {}) {
    return {
      installation, repository, name,
      run: (signal: AbortSignal) => new Promise<void>((resolve, reject) => {
        this.started.push(name);
        this.open.set(name, resolve);
        signal.addEventListener('abort', () => {
          this.aborted.push(name);
          if (options.stopOnAbort !== false) reject(signal.reason as Error);
        });
      }),
    };
  }

  finish(name: string): void {
    const resolve = this.open.get(name);
    if (!resolve) throw new Error(`${name} is not running`);
    resolve();
  }
}

function queue(options: Partial<InProcessQueueOptions> = {}): { queue: InProcessQueue; errors: unknown[] } {
  const errors: unknown[] = [];
  return { queue: new InProcessQueue({ concurrency: 2, onError: (error) => errors.push(error), ...options }), errors };
}

/** Lets promise callbacks run (the queue starts jobs in microtasks). */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InProcessQueue', () => {
  it('runs the jobs of one repository one at a time and in order, other repositories beside them', async () => {
    const gate = new Gate();
    const { queue: q } = queue({ concurrency: 4 });
    void q.enqueue(gate.job(1, 'acme/a', 'a1'));
    void q.enqueue(gate.job(1, 'ACME/A', 'a2'));
    void q.enqueue(gate.job(1, 'acme/b', 'b1'));
    await tick();
    expect(gate.started).toEqual(['a1', 'b1']);
    expect(q.stats()).toEqual({ running: 2, waiting: 1 });
    gate.finish('a1');
    await tick();
    expect(gate.started).toEqual(['a1', 'b1', 'a2']);
    gate.finish('a2');
    gate.finish('b1');
    await q.onIdle();
    expect(q.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('keeps a slot free for another installation while one installation\'s jobs are all stuck', async () => {
    const gate = new Gate();
    const { queue: q } = queue({ concurrency: 4, perInstallation: 3 });
    for (const n of [1, 2, 3, 4, 5]) void q.enqueue(gate.job(1, `a/stuck-${n}`, `a${n}`));
    await tick();
    expect(gate.started).toEqual(['a1', 'a2', 'a3']);
    void q.enqueue(gate.job(2, 'b/release', 'b1'));
    await tick();
    expect(gate.started).toEqual(['a1', 'a2', 'a3', 'b1']);
  });

  it('gives a freed slot to the installations in turn, not to whoever queued the most', async () => {
    const gate = new Gate();
    const { queue: q } = queue({ concurrency: 2 });
    for (const n of [1, 2, 3, 4]) void q.enqueue(gate.job(1, `a/r${n}`, `a${n}`));
    await tick();
    void q.enqueue(gate.job(2, 'b/r1', 'b1'));
    void q.enqueue(gate.job(2, 'b/r2', 'b2'));
    expect(gate.started).toEqual(['a1', 'a2']);
    gate.finish('a1');
    await tick();
    gate.finish('a2');
    await tick();
    expect(gate.started).toEqual(['a1', 'a2', 'b1', 'a3']);
    gate.finish('b1');
    await tick();
    expect(gate.started.at(-1)).toBe('b2');
  });

  it('stops a job at its deadline: its signal aborts, its caller hears why, and its slot goes to the next job', async () => {
    const gate = new Gate();
    const { queue: q, errors } = queue({ concurrency: 1, timeoutMs: 30 });
    const late = q.enqueue(gate.job(1, 'a/slow', 'slow'));
    void q.enqueue(gate.job(2, 'b/next', 'next'));
    await expect(late).rejects.toBeInstanceOf(JobDeadlineError);
    expect(gate.aborted).toEqual(['slow']);
    expect(errors).toEqual([expect.any(JobDeadlineError)]);
    await tick();
    expect(gate.started).toEqual(['slow', 'next']);
    gate.finish('next');
    await q.onIdle();
  });

  it('frees the slot at the deadline even when the job ignores its signal, but runs its repository\'s next job only once it has stopped', async () => {
    const gate = new Gate();
    const { queue: q } = queue({ concurrency: 1, timeoutMs: 30 });
    const late = q.enqueue(gate.job(1, 'a/same', 'stubborn', { stopOnAbort: false }));
    void q.enqueue(gate.job(1, 'a/same', 'same-repo'));
    void q.enqueue(gate.job(1, 'a/other', 'other-repo'));
    await expect(late).rejects.toBeInstanceOf(JobDeadlineError);
    await tick();
    expect(gate.started).toEqual(['stubborn', 'other-repo']);
    expect(q.stats()).toEqual({ running: 1, waiting: 1 });
    gate.finish('other-repo');
    await tick();
    expect(gate.started).toEqual(['stubborn', 'other-repo']);
    gate.finish('stubborn');
    await tick();
    expect(gate.started).toEqual(['stubborn', 'other-repo', 'same-repo']);
    gate.finish('same-repo');
    await q.onIdle();
  });

  it('drops an installation\'s work: queued jobs never start (also one waiting for its repository\'s previous job), running ones are aborted', async () => {
    const gate = new Gate();
    const { queue: q, errors } = queue({ concurrency: 3, perInstallation: 2 });
    const running = [q.enqueue(gate.job(1, 'a/r1', 'a1')), q.enqueue(gate.job(1, 'a/r2', 'a2'))];
    const behind = q.enqueue(gate.job(1, 'a/r1', 'a1-again'));
    const queued = q.enqueue(gate.job(1, 'a/r3', 'a3'));
    void q.enqueue(gate.job(2, 'b/r1', 'b1'));
    const other = q.enqueue(gate.job(2, 'b/r2', 'b2'));
    await tick();
    expect(gate.started).toEqual(['a1', 'a2', 'b1']);

    expect(q.drop(1)).toBe(4);
    for (const job of [...running, behind, queued]) await expect(job).rejects.toBeInstanceOf(JobDroppedError);
    expect(gate.aborted).toEqual(['a1', 'a2']);
    await tick();
    expect(gate.started).toEqual(['a1', 'a2', 'b1', 'b2']);
    gate.finish('b1');
    gate.finish('b2');
    await expect(other).resolves.toBeUndefined();
    await q.onIdle();
    expect(errors).toEqual([]);
  });

  it('drops only the named repositories, in any letter case, and takes new work for them afterwards', async () => {
    const gate = new Gate();
    const { queue: q } = queue({ concurrency: 1 });
    void q.enqueue(gate.job(1, 'acme/kept', 'kept'));
    const removed = q.enqueue(gate.job(1, 'acme/Removed', 'removed'));
    await tick();
    expect(q.drop(1, ['ACME/removed'])).toBe(1);
    await expect(removed).rejects.toBeInstanceOf(JobDroppedError);
    gate.finish('kept');
    await q.onIdle();

    const again = q.enqueue(gate.job(1, 'acme/removed', 'added-back'));
    await tick();
    gate.finish('added-back');
    await expect(again).resolves.toBeUndefined();
    expect(gate.started).toEqual(['kept', 'added-back']);
  });

  it('reports a failing job and goes on with the others', async () => {
    const { queue: q, errors } = queue({ concurrency: 1 });
    const failing = q.enqueue({ installation: 1, repository: 'a/r', name: 'boom', run: () => Promise.reject(new Error('boom')) });
    let ran = false;
    const next = q.enqueue({ installation: 1, repository: 'a/r', name: 'after', run: () => Promise.resolve().then(() => { ran = true; }) });
    await expect(failing).rejects.toThrow('boom');
    await next;
    expect(ran).toBe(true);
    expect(errors).toEqual([expect.objectContaining({ message: 'boom' })]);
  });
});
