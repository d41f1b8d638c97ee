/*
 * Keeps the page up to date without reloading. Uses the server's event stream
 * (GET <context>/events, server-sent events) when the server offers it, and
 * otherwise polls every 2 seconds. Feature detection: one GET of /events; a 404
 * (a server without event streams) or anything that is not text/event-stream
 * means polling. Events only say "something changed": the page then asks the
 * dashboard API again, at most once a second, so a busy server cannot flood it.
 */
'use strict';

var Live = (function () {
  var POLL_MS = 2000;         // polling period without events
  var SAFETY_MS = 15000;      // with events: a refresh now and then anyway (a lost connection)
  var MIN_GAP_MS = 1000;      // with events: at most one refresh a second
  var listener = null;        // function(): refreshes the current view
  var timer = null;
  var pending = null;
  var lastRun = 0;
  var mode = 'starting';

  function setMode(m, title) {
    mode = m;
    var el = document.getElementById('live');
    if (el) {
      el.textContent = m;
      el.title = title;
      el.setAttribute('data-mode', m);
    }
  }

  function run() {
    pending = null;
    lastRun = Date.now();
    if (listener) {
      listener();
    }
  }

  /** Something changed: refresh soon, at most once per MIN_GAP_MS. */
  function changed() {
    if (pending) {
      return;
    }
    var wait = Math.max(0, MIN_GAP_MS - (Date.now() - lastRun));
    pending = setTimeout(run, wait);
  }

  function poll(period) {
    clearInterval(timer);
    timer = setInterval(run, period);
  }

  function useEvents() {
    var source = new EventSource('../events');
    setMode('live: events', 'Updated by server-sent events from /events');
    source.onmessage = changed;
    ['queued', 'started', 'progress', 'requeued', 'succeeded', 'failed', 'cancelled'].forEach(function (k) {
      source.addEventListener(k, changed);
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) { // refused for good: back to polling
        setMode('live: polling 2 s', 'The event stream closed; polling every 2 seconds');
        poll(POLL_MS);
      }
    };
    poll(SAFETY_MS);
  }

  function usePolling(reason) {
    setMode('live: polling 2 s', reason);
    poll(POLL_MS);
  }

  /** Starts updating; onChange refreshes whatever the page shows. */
  function start(onChange) {
    listener = onChange;
    if (typeof EventSource === 'undefined' || typeof AbortController === 'undefined') {
      usePolling('This browser has no EventSource; polling every 2 seconds');
      return;
    }
    var probe = new AbortController();
    fetch('../events', { headers: { 'Accept': 'text/event-stream' }, credentials: 'same-origin', signal: probe.signal })
      .then(function (res) {
        var type = res.headers.get('Content-Type') || '';
        probe.abort(); // only the answer's head was wanted
        if (res.ok && type.indexOf('text/event-stream') === 0) {
          useEvents();
        } else {
          usePolling('The server has no event stream (/events answered ' + res.status + '); polling every 2 seconds');
        }
      })
      .catch(function () {
        usePolling('The event stream could not be reached; polling every 2 seconds');
      });
  }

  return { start: start, changed: changed, mode: function () { return mode; } };
}());
