import express, { type RequestHandler } from 'express';
import { AppError } from '../errors';

export const BODY_LIMIT = '64kb';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const invalidBody = (message: string): AppError =>
  new AppError('invalid_body', { json: { invalid: { message } } });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError(`the key "${key}" is not allowed`);
      return value;
    });
  } catch (e) {
    throw invalidBody(e instanceof SyntaxError ? e.message : 'not JSON');
  }
}

/**
 * Reads any body up to 64 KiB as bytes, then decodes it: JSON (also when it arrives labelled as a form,
 * as the seed's `curl -d '{…}'` examples send it), or a URL-encoded form (connect's `contact` field).
 * Anything else is 415. The result is left in `req.body`; no body leaves it undefined.
 */
export function bodyReader(): RequestHandler[] {
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });
  const decode: RequestHandler = (req, _res, next) => {
    const bytes = req.body as unknown;
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
      req.body = undefined;
      next();
      return;
    }
    const type = (req.get('content-type') ?? '').toLowerCase();
    const [mime = '', ...params] = type.split(';').map((s) => s.trim());
    const charset = params
      .find((p) => p.startsWith('charset='))
      ?.slice(8)
      .replace(/"/g, '');
    if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset))
      throw new AppError('unsupported_media_type', { message: 'the body must be UTF-8' });
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (mime === '' || mime === 'application/json' || mime.endsWith('+json')) {
      req.body = parseJson(text);
    } else if (mime === 'application/x-www-form-urlencoded') {
      req.body = text.trimStart().startsWith('{')
        ? parseJson(text)
        : Object.fromEntries([...new URLSearchParams(text)].filter(([k]) => !FORBIDDEN_KEYS.has(k)));
    } else {
      throw new AppError('unsupported_media_type', { message: 'send application/json' });
    }
    next();
  };
  return [raw, decode];
}
