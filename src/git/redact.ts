/**
 * Removes credentials from text that may reach a person: the userinfo of URLs
 * (`https://x-access-token:SECRET@host`), and each known secret in plain and base64 form
 * (git's `http.extraHeader` carries the token base64-encoded).
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of secretForms(secret)) result = result.split(form).join('***');
  }
  return result;
}

function secretForms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(`x-access-token:${secret}`).toString('base64'),
  ];
}
