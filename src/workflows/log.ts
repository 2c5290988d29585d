/**
 * The logger workflows are given (Probot's `context.log`, a pino child). Messages are static
 * text; variables go in the fields object, never into the message, and never a token.
 */
export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}
