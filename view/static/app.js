// The live view's entry point: reads the route, opens the one stream, draws the overview or a
// service page and keeps it current. No framework and no build step: plain ES modules.

import { LiveStream } from './api.js';
import { formatTime, parseServicePath } from './format.js';
import { Overview } from './overview.js';
import { ServicePage } from './service-page.js';
import { ViewStore } from './store.js';

const TOKEN_KEY = 'headroom.token';

const store = new ViewStore();
const elements = {
  view: document.getElementById('view'),
  live: document.getElementById('live'),
  liveText: document.querySelector('#live .live-text'),
  message: document.getElementById('message'),
  form: document.getElementById('token-form'),
  why: document.getElementById('token-why'),
  input: document.getElementById('token-input'),
  forget: document.getElementById('forget-token'),
};

let screen;
let drawQueued = false;
let lastDrawMs = -Infinity;

/**
 * At most this many draws per second: a step of 1,000 operations arrives as one `point` event, but
 * `service` events of many services can follow each other closely; they are drawn together.
 */
const DRAWS_PER_SECOND = 4;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * Draws the screen of the current URL from the store: in an animation frame (none while the tab is
 * hidden) and at most DRAWS_PER_SECOND times a second, however many events arrive.
 */
function draw() {
  if (drawQueued) return;
  drawQueued = true;
  const waitMs = Math.max(0, lastDrawMs + 1000 / DRAWS_PER_SECOND - performance.now());
  setTimeout(
    () =>
      requestAnimationFrame(() => {
        drawQueued = false;
        lastDrawMs = performance.now();
        if (store.view === undefined) return;
        if (elements.live.dataset.state === 'live')
          setLive('live', `Live · updated ${formatTime(store.updatedAtMs)}`);
        screen?.update(store);
      }),
    waitMs,
  );
}

/** Builds the screen for `location.pathname`; `focus` moves the keyboard to its heading. */
function route(focus) {
  screen?.destroy();
  const id = parseServicePath(location.pathname);
  screen = id === undefined ? new Overview(elements.view) : new ServicePage(elements.view, id);
  document.title = id === undefined ? 'Headroom live view' : `${id.service} · Headroom live view`;
  elements.view.hidden = store.view === undefined;
  if (store.view !== undefined) screen.update(store);
  if (focus) elements.view.querySelector('h1')?.focus();
}

function showMessage(text) {
  elements.message.hidden = text === undefined;
  elements.message.textContent = text ?? '';
}

function setLive(state, text) {
  elements.live.dataset.state = state;
  elements.liveText.textContent = text;
}

function onState({ state, message, retryAtMs }) {
  elements.forget.hidden = token() === null;
  if (state === 'connecting') setLive('connecting', 'Connecting…');
  else if (state === 'live') {
    setLive('live', 'Live');
    showMessage(undefined);
  } else if (state === 'retrying') {
    const seconds = Math.max(1, Math.round((retryAtMs - Date.now()) / 1000));
    setLive('offline', `Offline, retrying in ${seconds} s`);
    showMessage(`The live stream is interrupted (${message}). What you see may be out of date.`);
  } else if (state === 'unauthorized') {
    setLive('offline', 'Not signed in');
    showMessage(undefined);
    askToken(token() === null ? undefined : `The token was refused: ${message}`);
  } else if (state === 'forbidden') {
    setLive('offline', 'Not allowed');
    askToken(`This token may not read the view: ${message}. Use a token with the "read" scope.`);
  }
}

function onEvent(name, data) {
  if (!store.apply(name, data)) return;
  if (elements.view.hidden) {
    setLive('live', `Live · updated ${formatTime(store.updatedAtMs)}`);
    elements.view.hidden = false;
    elements.form.hidden = true;
    route(false);
  } else draw();
}

function askToken(why) {
  elements.view.hidden = true;
  elements.form.hidden = false;
  showMessage(why);
  elements.input.value = '';
  elements.input.focus();
}

const stream = new LiveStream({ token, onEvent, onState });

elements.form.addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, elements.input.value.trim());
  elements.form.hidden = true;
  showMessage(undefined);
  stream.start();
});

elements.forget.addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  store.view = undefined;
  stream.start();
});

// Links inside the page change the route without reloading (and without a second stream).
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href^="/ui/"]') : null;
  if (link === null || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (link.getAttribute('href') !== location.pathname) history.pushState(null, '', link.getAttribute('href'));
  route(true);
});
window.addEventListener('popstate', () => route(true));

route(false);
stream.start();
