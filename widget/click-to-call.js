/**
 * The "call me" widget (docs/links.md#the-widget): a Web Component, one plain script, no build step.
 *
 *   <script src="https://c2c.example.com/widget/click-to-call.js" defer></script>
 *   <click-to-call link="TOKEN"></click-to-call>
 *
 * Attributes: `link` (the link token), `api` (the service's address; default: where this script came from).
 * The host element's `data-state` names what it shows: loading, ready, connecting, calling_you, connected, ended,
 * busy, no_answer, failed, error (a connect was refused; "Try again" returns), gone, forbidden, unavailable.
 *
 * Theme with CSS custom properties on the element (or any ancestor):
 *   --c2c-font         font family (default: inherited)
 *   --c2c-bg           background (default: transparent)
 *   --c2c-text         text colour (default: inherited)
 *   --c2c-accent       button and focus-ring colour (default: #0b57d0)
 *   --c2c-accent-text  button text colour (default: #fff)
 *   --c2c-radius       corner radius of the input and buttons (default: 6px)
 *   --c2c-error        colour of error text and of an invalid input's border (default: #b3261e)
 * or with ::part(): form, label, input, button, error, status, retry.
 *
 * It keeps nothing (no cookies, no storage) and sends nothing but the number, to the service only.
 */
(() => {
  'use strict';
  const script = document.currentScript;
  const scriptOrigin = script && script.src ? new URL(script.src).origin : location.origin;

  const PHASES = {
    connecting: 'Connecting…',
    calling_you: 'Calling you…',
    connected: 'Connected',
    ended: 'Call ended',
    busy: 'Line busy',
    no_answer: 'No answer',
    failed: 'Call failed',
  };
  const GONE = {
    expired: 'This call link has expired.',
    revoked: 'This call link is no longer active.',
    used_up: 'This call link has reached its call limit.',
  };
  const FORBIDDEN = 'This page is not allowed to use this call link.';
  const PLACE_FAILED = 'We could not place the call. Please try again.';

  const STYLE = `:host{display:block;font-family:var(--c2c-font,inherit);color:var(--c2c-text,inherit);background:var(--c2c-bg,transparent)}
[hidden]{display:none!important}form{display:flex;flex-direction:column;gap:.4em}.row{display:flex;gap:.5em;flex-wrap:wrap}
input,button{font:inherit;padding:.5em .8em;border-radius:var(--c2c-radius,6px)}input{border:1px solid #8a8a8a;min-width:12em;flex:1}
input[aria-invalid=true]{border-color:var(--c2c-error,#b3261e)}
button{border:1px solid var(--c2c-accent,#0b57d0);background:var(--c2c-accent,#0b57d0);color:var(--c2c-accent-text,#fff);cursor:pointer}
button:disabled{opacity:.6;cursor:default}input:focus-visible,button:focus-visible{outline:3px solid var(--c2c-accent,#0b57d0);outline-offset:2px}
.err{color:var(--c2c-error,#b3261e);margin:0}p{margin:.4em 0 0}#s{font-weight:600}#r{margin-top:.5em}`;
  // Static markup only: every text from the network goes in with textContent.
  const HTML = `<style>${STYLE}</style><form part="form" novalidate hidden>
<label part="label" for="n">Your phone number</label><div class="row">
<input id="n" part="input" name="tel" type="tel" autocomplete="tel" inputmode="tel" aria-describedby="e">
<button id="b" part="button" type="submit">Call me</button></div><p id="e" part="error" class="err" hidden></p></form>
<p id="s" part="status" role="status" aria-live="polite"></p><button id="r" part="retry" type="button" hidden>Try again</button>`;

  /** What a number becomes on the service (src/clicktocall/contact.ts), to check the link's prefixes. */
  const normalized = (d) =>
    d[0] === '+'
      ? d
      : /^[2-9]\d{9}$/.test(d)
        ? '+1' + d
        : /^1\d{10}$/.test(d)
          ? '+' + d
          : /^011/.test(d)
            ? '+' + d.slice(3)
            : /^00/.test(d)
              ? '+' + d.slice(2)
              : /^[2-9]\d{7,}$/.test(d)
                ? '+' + d
                : d;

  class ClickToCall extends HTMLElement {
    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      root.innerHTML = HTML;
      const $ = (id) => root.getElementById(id);
      this.f = root.querySelector('form');
      this.i = $('n');
      this.b = $('b');
      this.e = $('e');
      this.s = $('s');
      this.r = $('r');
      this.f.addEventListener('submit', (ev) => {
        ev.preventDefault();
        this.submit();
      });
      this.i.addEventListener('input', () => this.invalid(''));
      this.r.addEventListener('click', () => this.ready(true));
    }

    connectedCallback() {
      this.load();
    }

    disconnectedCallback() {
      this.stop();
    }

    get api() {
      return (this.getAttribute('api') || scriptOrigin).replace(/\/+$/, '');
    }

    url(path) {
      return `${this.api}/v2/links/${encodeURIComponent(this.getAttribute('link') || '')}${path}`;
    }

    /** Shows `state` with `text`; `form`: whether the number can be typed, `retry`: whether "Try again" shows. */
    show(state, text, form, retry) {
      this.dataset.state = state;
      this.s.textContent = text;
      this.f.hidden = !form;
      this.r.hidden = !retry;
      const idle = state === 'ready';
      this.b.disabled = !idle;
      this.i.readOnly = !idle;
    }

    /** A message in place of the widget: the link cannot be used from here. */
    dead(state, text) {
      this.stop();
      this.show(state, text, false, false);
    }

    invalid(text) {
      this.e.textContent = text;
      this.e.hidden = !text;
      this.i.setAttribute('aria-invalid', String(!!text));
    }

    ready(focus) {
      this.stop();
      this.show('ready', '', true, false);
      this.i.hidden = this.fixed;
      this.f.querySelector('label').hidden = this.fixed;
      if (focus) (this.fixed ? this.b : this.i).focus();
    }

    async load() {
      this.show('loading', '', false, false);
      const g = this.g;
      let res;
      let body;
      try {
        res = await fetch(this.url(''), { credentials: 'omit', mode: 'cors' });
        body = await res.json();
      } catch {
        return (
          g === this.g &&
          this.dead('unavailable', 'The call service cannot be reached. Please try again later.')
        );
      }
      if (g !== this.g) return;
      const data = body.data || {};
      if (res.status === 410) return this.dead('gone', GONE[data.reason] || GONE.revoked);
      if (!res.ok) return this.dead('gone', GONE.revoked);
      if (!data.allowed) return this.dead('forbidden', FORBIDDEN);
      this.fixed = !!data.contact_fixed;
      this.prefixes = data.contact_prefixes || [];
      this.ready(false);
    }

    async submit() {
      if (this.dataset.state !== 'ready') return;
      let contact;
      if (!this.fixed) {
        const digits = this.i.value.trim().replace(/[\s\-.()]/g, '');
        if (!/^\+?\d{7,15}$/.test(digits))
          return this.invalid('Please enter a valid phone number, for example +1 555 123 4567.');
        if (this.prefixes.length && !this.prefixes.some((p) => normalized(digits).startsWith(p)))
          return this.invalid(
            `This number cannot be called here: it must start with ${this.prefixes.join(', ')}.`,
          );
        this.invalid('');
        contact = digits;
      }
      this.show('connecting', PHASES.connecting, true, false);
      const g = this.g;
      let res;
      let body;
      try {
        res = await fetch(this.url('/connect'), {
          method: 'POST',
          credentials: 'omit',
          mode: 'cors',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(contact === undefined ? {} : { contact }),
        });
        body = await res.json().catch(() => ({}));
      } catch {
        return g === this.g && this.show('error', PLACE_FAILED, true, true);
      }
      if (g !== this.g) return;
      const data = body.data || {};
      if (res.ok) return this.follow(data.status_token, data.status);
      if (res.status === 410) return this.dead('gone', GONE[data.reason] || GONE.revoked);
      if (res.status === 403) return this.dead('forbidden', FORBIDDEN);
      if (res.status === 401) return this.dead('gone', GONE.revoked);
      let text = PLACE_FAILED;
      if (res.status === 429) {
        const wait = parseInt(res.headers.get('Retry-After') || '', 10);
        text =
          wait > 0
            ? `Too many attempts. Please try again in ${wait} seconds.`
            : 'Too many attempts. Please try again later.';
      } else if (res.status === 400) {
        text = 'Please check the number.';
        if (!this.fixed) this.i.setAttribute('aria-invalid', 'true');
      }
      this.show('error', text, true, true);
    }

    /** Shows a call status; true when the call is over. */
    status(s) {
      const phase = s && PHASES[s.phase] ? s.phase : 'connecting';
      this.show(phase, PHASES[phase], true, !!(s && s.final));
      if (s && s.final) this.stop();
      return !!(s && s.final);
    }

    follow(token, first) {
      if (this.status(first)) return;
      const path = `/calls/${encodeURIComponent(token)}`;
      const es = (this.es = new EventSource(this.url(path + '/events')));
      es.addEventListener('status', (ev) => {
        try {
          this.status(JSON.parse(ev.data));
        } catch {
          // A broken event: the next one, or polling, tells.
        }
      });
      es.onerror = () => {
        if (this.es !== es) return;
        es.close();
        this.es = undefined;
        this.poll(path, 0);
      };
    }

    /** Follows the call by asking every 1.5 s (when the event stream is not available). */
    poll(path, failures) {
      const g = this.g;
      this.timer = setTimeout(async () => {
        let ok = false;
        try {
          const res = await fetch(this.url(path), { credentials: 'omit', mode: 'cors' });
          const body = await res.json();
          if (g !== this.g) return;
          if (res.ok && this.status(body.data)) return;
          ok = res.ok;
        } catch {
          // Counted below.
        }
        if (g !== this.g) return;
        failures = ok ? 0 : failures + 1;
        if (failures > 20) return this.show('failed', PHASES.failed, true, true);
        this.poll(path, failures);
      }, 1500);
    }

    /** Stops following a call (an answer still on its way is then ignored). */
    stop() {
      this.g = (this.g || 0) + 1;
      if (this.es) this.es.close();
      this.es = undefined;
      clearTimeout(this.timer);
    }
  }

  if (!customElements.get('click-to-call')) customElements.define('click-to-call', ClickToCall);
})();
