/** The job ran past its deadline: it was aborted (its git processes stopped) and its slot freed. */
export class JobDeadlineError extends Error {
  override readonly name = 'JobDeadlineError';

  constructor(readonly seconds: number) {
    super(`the job took longer than the ${seconds} s one job may take, and was stopped`);
  }
}

/** The job was dropped before it finished: its installation, or its repository, went away. */
export class JobDroppedError extends Error {
  override readonly name = 'JobDroppedError';

  constructor() {
    super('the job was dropped: the app no longer has access to its repository');
  }
}
