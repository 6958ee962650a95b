/**
 * What a callback URL must be when saved (docs/webhooks.md#where-events-go): http or https, a host, no user name
 * or password (a secret in a URL ends up in logs and proxies). Where it resolves to is checked at each delivery
 * instead (the address guard), since DNS may say otherwise later.
 */
export function callbackUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username !== '' || url.password !== '') return 'must not hold a user name or password';
  if (url.hostname === '') return 'must name a host';
  return undefined;
}
