import { getTransformStream } from '@probot/pino';
import { pino, type Logger } from 'pino';
import { stripToken } from './strip-token.js';

/**
 * Probot's logger (the same format, level and Sentry options, read from the same variables) with
 * secrets redacted. Probot logs every HTTP request with its URL and headers, from its own request
 * listener, before any handler of the app runs: the fleet page's `?token=` in the URL and the
 * `Authorization` and `Cookie` headers would be in that line. pino redacts them as the line is
 * written, whoever writes it. https://getpino.io/#/docs/redaction
 */
export async function appLog(env: NodeJS.ProcessEnv = process.env): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: env.LOG_FORMAT === 'json' || (!env.LOG_FORMAT && env.NODE_ENV === 'production') ? 'json' : 'pretty',
    logLevelInString: env.LOG_LEVEL_IN_STRING === 'true',
    ...(env.SENTRY_DSN && { sentryDsn: env.SENTRY_DSN }),
  });
  // Probot's own wiring (probot/lib/helpers/get-log.js); sonic-boom writes like a stream but is not typed as one.
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino({
    level: env.LOG_LEVEL || 'info',
    name: 'probot',
    messageKey: env.LOG_MESSAGE_KEY || 'msg',
    redact: {
      paths: ['req.url', 'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: (value: unknown, path: string[]) => (path.at(-1) === 'url' && typeof value === 'string' ? stripToken(value) : '[redacted]'),
    },
  }, transform);
}
