import { en } from 'zod/locales';
import { config } from 'zod/mini';

/**
 * The schema library for every file people write (answers files, template.yml,
 * cookiecutter.json's settings): zod's functional build, of which a bundle carries only what
 * the schemas use (the chained build brings every check and every locale into the CLI's
 * start-up), with English messages, which the chained build sets by default and the functional
 * one leaves out. Schemas import it as `* as z` from here, so the messages are set before any
 * of them is used.
 */
config(en());

export * from 'zod/mini';
