/**
 * The "call me" widget (docs/links.md#the-widget): one script any website loads. Its file is `widget/` at the top of
 * the project, beside `dist/`.
 */
import path from 'node:path';
import type { Endpoint } from '../endpoint';
import { NO_AUTH } from './docs';

export const WIDGET_PATH = '/widget/click-to-call.js';
export const WIDGET_FILE = path.resolve(__dirname, '..', '..', '..', '..', 'widget', 'click-to-call.js');

export const WIDGET_ENDPOINTS: Endpoint[] = [
  {
    method: 'GET',
    path: WIDGET_PATH,
    summary: 'The "call me" widget: a Web Component, <click-to-call link="…">',
    tag: 'links',
    answers: {
      200: { description: 'The script', raw: { 'text/javascript': { schema: { type: 'string' } } } },
    },
    errors: [],
    security: NO_AUTH,
    access: 'open',
    handler(_deps, _req, res) {
      // Any page may load it: helmet's same-origin resource policy would keep other sites from running it.
      res.set({
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'Cache-Control': 'public, max-age=300',
        'Content-Type': 'text/javascript; charset=utf-8',
      });
      res.sendFile(WIDGET_FILE);
    },
  },
];
