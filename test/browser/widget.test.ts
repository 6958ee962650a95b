/**
 * The "call me" widget (widget/click-to-call.js) in a real browser: the service with the fake switch on one port,
 * a shop page (src/demo-shop.ts) holding a link's snippet, as the service gave it, on another origin. Each state is
 * saved as a screenshot in test-output/browser/. The browser is the system's Chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium): none is ever downloaded.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serveShop, shopPage } from '../../src/demo-shop';
import { harness, type Harness } from '../support/harness';
import { switchRig, type SwitchRig } from '../support/switch';

const OUT = path.resolve(__dirname, '../../../test-output/browser');
const BUSY = '+15551230486';
const NO_ANSWER = '+15551230480';
const ANSWERS = '+15551234567';
const PROGRESS = ['ready', 'connecting', 'calling_you', 'connected', 'ended'];

const urlOf = (server: http.Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const listen = (server: http.Server): Promise<http.Server> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
const close = (server: http.Server | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('the "call me" widget in a browser', function () {
  this.timeout(20_000);
  let browser: Browser;
  let rig: SwitchRig;
  let h: Harness;
  let api: http.Server;
  let shop: http.Server;
  let foreign: http.Server;
  /** What the shop pages show: set by each test before it opens them. */
  let snippet = '';
  /** The service's clock runs this far ahead of the real one (links expire by it). */
  let aheadMs = 0;
  let context: BrowserContext;
  let page: Page;
  let account: { id: string; token: string };
  let configId: string;

  before(async function () {
    this.timeout(30_000);
    fs.mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    // Speed 2: each state of an answered call lasts about a second (fake-switch/scenarios.ts).
    rig = await switchRig({ speed: 2 });
    h = harness({ esl: rig.esl, now: () => new Date(Date.now() + aheadMs), anonConnectsPerMinute: 0 });
    api = await listen(http.createServer(h.app));
    shop = await serveShop('127.0.0.1', 0, () => shopPage(snippet));
    foreign = await serveShop('127.0.0.1', 0, () => shopPage(snippet, 'Another site'));
    account = await h.account();
    // A timeout of 3 s: a contact that does not answer gives up after ~2 s of ringing (~1 s at speed 2).
    const config = await h.http
      .put(`/v2/accounts/${account.id}/clicktocall`)
      .set('X-Auth-Token', account.token)
      .send({ data: { name: 'Shop', extension: '2600', timeout: 3 } })
      .expect(201);
    configId = config.body.data.id as string;
  });

  after(async () => {
    await browser?.close();
    await Promise.all([close(api), close(shop), close(foreign)]);
    await h?.close();
    await rig?.close();
  });

  beforeEach(async () => {
    aheadMs = 0;
    context = await browser.newContext({ viewport: { width: 480, height: 300 } });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  /** A new link of the shop's origin, made through the service's real port: its snippet names that address. */
  async function newLink(
    extra: Record<string, unknown> = {},
    config = configId,
  ): Promise<{ id: string; snippet: string }> {
    const res = await fetch(`${urlOf(api)}/v2/accounts/${account.id}/clicktocall/${config}/links`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': account.token },
      body: JSON.stringify({ data: { expires_in: 3600, origins: [urlOf(shop)], ...extra } }),
    });
    expect(res.status).to.equal(201);
    const { data } = (await res.json()) as { data: { id: string; snippet: string } };
    expect(data.snippet).to.include(`<script src="${urlOf(api)}/widget/click-to-call.js" defer></script>`);
    return data;
  }

  /** Opens a shop page with a new link's snippet; resolves once the widget has asked about its link. */
  async function open(
    opts: { link?: Record<string, unknown>; from?: http.Server; ready?: string; config?: string } = {},
  ): Promise<{ id: string }> {
    const link = await newLink(opts.link, opts.config);
    snippet = link.snippet;
    await visit(opts.from ?? shop, opts.ready ?? 'ready');
    return { id: link.id };
  }

  /** Opens the page `server` serves and waits for the widget to reach `ready`. */
  async function visit(server: http.Server, ready: string): Promise<void> {
    await page.goto(`${urlOf(server)}/`);
    await waitState(ready);
  }

  const originates = (): number => rig.fake.commands.filter((c) => c.startsWith('bgapi originate')).length;

  /** Waits until the widget's data-state is `state`. */
  async function waitState(state: string): Promise<void> {
    await page.locator(`click-to-call[data-state="${state}"]`).waitFor({ timeout: 10_000 });
  }

  // Code run in the page is written as text: this project's TypeScript has no DOM types.
  /** Records every data-state the widget goes through from now on (a mutation observer loses none). */
  async function recordStates(): Promise<() => Promise<string[]>> {
    await page.evaluate(`{
      const host = document.querySelector('click-to-call');
      window.seen = [];
      new MutationObserver((records) => {
        for (const r of records) window.seen.push(r.oldValue ?? '');
      }).observe(host, { attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
    }`);
    return () =>
      page.evaluate<string[]>(`[...window.seen, document.querySelector('click-to-call').dataset.state]`);
  }

  const status = () => page.getByRole('status');
  const shot = (name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`) });
  const dedupe = (states: string[]) => states.filter((s, i) => s !== states[i - 1]);

  it('when a visitor leaves a number that answers, then the widget shows the call go through each state', async () => {
    await open();
    await shot('ready');
    const states = await recordStates();
    // Hold the connect until "Connecting…" is on screen, so that the screenshot cannot miss it.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/connect', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel('Your phone number').fill(ANSWERS);
    await page.getByRole('button', { name: 'Call me' }).click();
    await waitState('connecting');
    expect(await status().textContent()).to.equal('Connecting…');
    expect(await page.getByRole('button', { name: 'Call me' }).isDisabled()).to.equal(true);
    await shot('connecting');
    release();
    // At this speed the contact answers ~40 ms after the originate: "Calling you…" is brief (the no-answer test
    // sees it at length), "Connected" lasts ~2.5 s.
    await waitState('connected');
    expect(await status().textContent()).to.equal('Connected');
    await shot('connected');
    await waitState('ended');
    expect(await status().textContent()).to.equal('Call ended');
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await shot('ended');
    // Every state shown, in order: at least connecting, connected and ended; calling_you between when seen.
    const seen = dedupe(await states());
    expect(seen).to.include.members(['ready', 'connecting', 'connected', 'ended']);
    expect(seen).to.deep.equal(PROGRESS.filter((s) => seen.includes(s)));
    expect(
      rig.fake.commands.some((c) => c.startsWith('bgapi originate') && c.includes('15551234567')),
    ).to.equal(true);
  });

  it('when the line is busy, then "Line busy", and "Try again" returns to the form with the number kept', async () => {
    await open();
    await page.getByLabel('Your phone number').fill(BUSY);
    await page.getByRole('button', { name: 'Call me' }).click();
    await waitState('busy');
    expect(await status().textContent()).to.equal('Line busy');
    await shot('busy');
    await page.getByRole('button', { name: 'Try again' }).click();
    await waitState('ready');
    expect(await page.getByLabel('Your phone number').inputValue()).to.equal(BUSY);
    expect(await page.getByRole('button', { name: 'Call me' }).isEnabled()).to.equal(true);
    expect(await page.getByRole('button', { name: 'Try again' }).count()).to.equal(0);
    expect(await status().textContent()).to.equal('');
    await shot('busy-try-again');
  });

  it('when nobody answers, then "No answer"', async () => {
    // A configuration of its own with a timeout of 6 s: the visitor's phone rings ~5 s (~2.5 s at speed 2), long
    // enough for "Calling you…" to be seen (and shot) on a loaded machine, where ~1 s could pass unseen.
    const config = await h.http
      .put(`/v2/accounts/${account.id}/clicktocall`)
      .set('X-Auth-Token', account.token)
      .send({ data: { name: 'Shop, long ring', extension: '2600', timeout: 6 } })
      .expect(201);
    await open({ config: config.body.data.id as string });
    const states = await recordStates();
    await page.getByLabel('Your phone number').fill(NO_ANSWER);
    await page.getByRole('button', { name: 'Call me' }).click();
    // The extension answered, the visitor's phone rings (~2.5 s here) until the configuration's timeout.
    await waitState('calling_you');
    expect(await status().textContent()).to.equal('Calling you…');
    await shot('calling-you');
    await waitState('no_answer');
    expect(await status().textContent()).to.equal('No answer');
    await shot('no-answer');
    const seen = dedupe(await states());
    expect(seen).to.deep.equal(
      ['ready', 'connecting', 'calling_you', 'no_answer'].filter((s) => seen.includes(s)),
    );
    expect(seen).to.include.members(['calling_you', 'no_answer']);
  });

  it('when the link has expired, then the widget says so and offers no input', async () => {
    await open({ link: { expires_in: 60 } });
    aheadMs = 61_000;
    await visit(shop, 'gone');
    expect(await status().textContent()).to.equal('This call link has expired.');
    expect(await page.getByLabel('Your phone number').isVisible()).to.equal(false);
    expect(await page.getByRole('button', { name: 'Call me' }).count()).to.equal(0);
    await shot('expired');
  });

  it('when the link was revoked, then the widget says it is no longer active and offers no input', async () => {
    const link = await open();
    await h.http
      .delete(`/v2/accounts/${account.id}/clicktocall/${configId}/links/${link.id}`)
      .set('X-Auth-Token', account.token)
      .expect(200);
    await visit(shop, 'gone');
    expect(await status().textContent()).to.equal('This call link is no longer active.');
    expect(await page.getByLabel('Your phone number').isVisible()).to.equal(false);
    await shot('revoked');
  });

  it('when the page is on an origin the link does not list, then it is told so and no call is placed', async () => {
    const before = originates();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await open({ from: foreign, ready: 'forbidden' });
    expect(await status().textContent()).to.equal('This page is not allowed to use this call link.');
    expect(await page.getByLabel('Your phone number').isVisible()).to.equal(false);
    expect(await page.getByRole('button', { name: 'Call me' }).count()).to.equal(0);
    await shot('not-allowed');
    expect(requests.filter((u) => u.includes('/connect'))).to.deep.equal([]);
    expect(originates()).to.equal(before);
  });

  it('when used with the keyboard only, then Tab reaches the input, Enter calls, and Tab + Enter/Space try again', async () => {
    await open();
    const input = page.getByLabel('Your phone number');
    expect(await input.getAttribute('type')).to.equal('tel');
    expect(await input.getAttribute('autocomplete')).to.equal('tel');
    expect(await status().getAttribute('aria-live')).to.equal('polite');
    /** The element focused inside the widget. */
    const focused = () =>
      page.evaluate<{ id: string; text: string; outline: string } | null>(`(() => {
        const el = document.querySelector('click-to-call').shadowRoot.activeElement;
        return el && { id: el.id, text: el.textContent, outline: getComputedStyle(el).outlineStyle };
      })()`);

    await page.keyboard.press('Tab');
    expect(await focused()).to.deep.include({ id: 'n', outline: 'solid' });
    await page.keyboard.type(BUSY);
    await page.keyboard.press('Enter');
    await waitState('busy');
    expect(await status().textContent()).to.equal('Line busy');
    // "Call me" is disabled after a call: the next stop is "Try again".
    await page.keyboard.press('Tab');
    expect(await focused()).to.deep.include({ text: 'Try again', outline: 'solid' });
    await shot('keyboard-try-again');
    await page.keyboard.press('Enter');
    await waitState('ready');
    expect(await focused()).to.deep.include({ id: 'n' });
    expect(await input.inputValue()).to.equal(BUSY);

    await page.keyboard.press('Enter');
    await waitState('busy');
    await page.keyboard.press('Tab');
    expect(await focused()).to.deep.include({ text: 'Try again' });
    await page.keyboard.press('Space');
    await waitState('ready');
    expect(await focused()).to.deep.include({ id: 'n' });
  });

  it('when the link has placed all its calls, then the next connect tells the visitor so', async () => {
    await open({ link: { max_calls: 1 } });
    await page.getByLabel('Your phone number').fill(BUSY);
    await page.getByRole('button', { name: 'Call me' }).click();
    await waitState('busy');
    await page.getByRole('button', { name: 'Try again' }).click();
    await waitState('ready');
    await page.getByRole('button', { name: 'Call me' }).click();
    await waitState('gone');
    expect(await status().textContent()).to.equal('This call link has reached its call limit.');
    expect(await page.getByLabel('Your phone number').isVisible()).to.equal(false);
    await shot('used-up');
  });

  it('when the link calls one fixed number, then only the button shows, and it calls that number', async () => {
    await open({ link: { contact: BUSY } });
    expect(await page.getByLabel('Your phone number').isVisible()).to.equal(false);
    await shot('fixed');
    await page.getByRole('button', { name: 'Call me' }).click();
    await waitState('busy');
    expect(await status().textContent()).to.equal('Line busy');
  });

  it('when the link allows some prefixes only, then another number is refused before anything is sent', async () => {
    await open({ link: { contact_prefixes: ['+44'] } });
    const before = originates();
    const input = page.getByLabel('Your phone number');
    await input.fill(ANSWERS);
    await page.getByRole('button', { name: 'Call me' }).click();
    await page.getByText('it must start with +44', { exact: false }).waitFor();
    expect(await input.getAttribute('aria-invalid')).to.equal('true');
    expect(originates()).to.equal(before);
    await input.fill('+44 20 7946 0486');
    await page.getByRole('button', { name: 'Call me' }).click();
    await waitState('busy');
    expect(originates()).to.equal(before + 1);
  });

  it('when the service refuses or fails a connect, then the widget says so in plain words and offers to try again', async () => {
    await open();
    // The service's answers, as it gives them (src/errors.ts), so that each one is shown once.
    const answers: Array<{ status: number; headers: Record<string, string>; text: string }> = [
      {
        status: 429,
        headers: { 'Retry-After': '17' },
        text: 'Too many attempts. Please try again in 17 seconds.',
      },
      { status: 400, headers: {}, text: 'Please check the number.' },
      { status: 503, headers: {}, text: 'We could not place the call. Please try again.' },
    ];
    const origin = urlOf(shop);
    for (const answer of answers) {
      await page.route('**/connect', (route) =>
        route.fulfill({
          status: answer.status,
          headers: {
            ...answer.headers,
            'Access-Control-Allow-Origin': origin,
            'Access-Control-Expose-Headers': 'X-Request-ID, Retry-After',
          },
          contentType: 'application/json',
          body: JSON.stringify({ status: 'error', error: String(answer.status), message: 'x', data: {} }),
        }),
      );
      await page.getByLabel('Your phone number').fill(ANSWERS);
      await page.getByRole('button', { name: 'Call me' }).click();
      await waitState('error');
      expect(await status().textContent()).to.equal(answer.text);
      await shot(`error-${answer.status}`);
      await page.unroute('**/connect');
      await page.getByRole('button', { name: 'Try again' }).click();
      await waitState('ready');
    }
  });

  it('when the number is not a phone number, then an inline error shows and nothing is sent', async () => {
    await open();
    const before = originates();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const input = page.getByLabel('Your phone number');
    for (const bad of ['12ab34', '123', '+1 (555) 123 4567 8901 2']) {
      await input.fill(bad);
      await page.getByRole('button', { name: 'Call me' }).click();
      await page.getByText('Please enter a valid phone number', { exact: false }).waitFor();
      expect(await input.getAttribute('aria-invalid'), bad).to.equal('true');
      expect(await page.locator('click-to-call').getAttribute('data-state')).to.equal('ready');
    }
    await shot('invalid');
    // Typing again clears the error.
    await input.fill('+1 (555) 123-4567');
    expect(await input.getAttribute('aria-invalid')).to.equal('false');
    expect(requests.filter((u) => u.includes('/connect'))).to.deep.equal([]);
    expect(originates()).to.equal(before);
  });
});
