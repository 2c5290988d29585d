import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { configEnv } from './git-config-env.js';
import { redact } from './redact.js';

export interface TemplateLocation {
  /** What git fetches from. */
  readonly url: string;
  /** The same without credentials, for messages. */
  readonly display: string;
}

export interface LocateOptions {
  /** Relative local paths are read from here (the service repository, or the current folder). */
  readonly baseDir: string;
  /** Where `owner/repo` lives; https://github.com unless GitHub Enterprise says otherwise. */
  readonly serverUrl?: string;
}

const OWNER_REPO = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/\s]+@[^/\s:]+:/;

/** `scheme://...`: an address git fetches as it is. */
export function isUrl(source: string): boolean {
  return URL_LIKE.test(source);
}

/** A URL or an scp-style `user@host:path`: anything that is not a local path or `owner/repo`. */
export function isRemoteAddress(source: string): boolean {
  return URL_LIKE.test(source) || SCP_LIKE.test(source);
}

/** Turns what a person wrote (`owner/repo`, a URL, a local path) into something git can fetch. */
export function locateTemplate(source: string, options: LocateOptions): TemplateLocation {
  let url: string;
  if (isRemoteAddress(source)) {
    url = source;
  } else if (OWNER_REPO.test(source) && !existsSync(resolve(options.baseDir, source))) {
    // `owner/repo`, unless a local folder of that name exists (`templates/django-service`).
    const server = (options.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
    url = `${server}/${source.replace(/\.git$/, '')}.git`;
  } else {
    url = isAbsolute(source) ? source : resolve(options.baseDir, source);
  }
  return { url, display: redact(url) };
}

/**
 * The environment that lets git authenticate to one HTTPS host with a GitHub token, through
 * `http.<url>.extraHeader` set in GIT_CONFIG_* variables: the token is never in argv, never in
 * the URL (so never in an error), and never sent to any other host.
 */
export function tokenAuthEnv(url: string, token: string | undefined): Record<string, string> {
  if (!token || !/^https?:\/\//i.test(url)) return {};
  const origin = new URL(url).origin;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return configEnv([[`http.${origin}/.extraheader`, `Authorization: Basic ${basic}`]]);
}
