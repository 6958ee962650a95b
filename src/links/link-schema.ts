/**
 * The body of `PUT …/clicktocall/{ID}/links` (docs/links.md#creating-a-link), validated by the same ajv as every
 * document. Custom keyword `x-origin`: a web origin as a browser sends it (`https://shop.example[:port]`).
 */
export const MAX_LINK_LIFETIME_S = 90 * 86_400;
export const DEFAULT_LINK_CALLS_PER_MINUTE = 10;

export const LINK_SCHEMA = {
  type: 'object',
  required: ['expires_in', 'origins'],
  additionalProperties: false,
  properties: {
    expires_in: {
      type: 'integer',
      minimum: 60,
      maximum: MAX_LINK_LIFETIME_S,
      description: 'Seconds from now until the link stops working (60 s to 90 days)',
    },
    max_calls: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description: 'Connects allowed through the link in all',
    },
    calls_per_minute: {
      type: 'integer',
      minimum: 1,
      maximum: 600,
      default: DEFAULT_LINK_CALLS_PER_MINUTE,
      description: `Connects a minute through the link, at most, from all visitors together (default ${DEFAULT_LINK_CALLS_PER_MINUTE})`,
    },
    origins: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', maxLength: 256, 'x-origin': true },
      description: 'The web origins whose pages may use the link, e.g. https://shop.example',
    },
    contact: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'The one number the link calls (the visitor cannot choose another)',
    },
    contact_prefixes: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', pattern: '^\\+[0-9]{1,15}$' },
      description:
        "Visitors' numbers must start with one of these (E.164, e.g. +1, +44), besides the whitelist",
    },
  },
} as const;

/** What a valid body is. */
export type LinkRequest = {
  expires_in: number;
  max_calls?: number;
  calls_per_minute?: number;
  origins: string[];
  contact?: string;
  contact_prefixes?: string[];
};

/** `x-origin`: the problem with a web origin, or undefined. */
export function originProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a web origin such as https://shop.example';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https origin';
  if (url.origin !== value) return `must be the origin alone, written as a browser sends it (${url.origin})`;
  return undefined;
}
