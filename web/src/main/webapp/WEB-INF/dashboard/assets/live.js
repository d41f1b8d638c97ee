/*
 * Keeps the page up to date without reloading. Uses the server's event stream
 * (GET <context>/events, server-sent events) when the server offers it, and
 * otherwise polls every 2 seconds. Feature detection: one GET of /events; a 404
 * (a server without event streams) or anything that is not text/event-stream
 * means polling. Events only say "something changed": the page then asks the
 * dashboard API again, at most once a second, so a busy server cannot flood it.
 *
 * With an API key (key.js) the stream is read with fetch() instead of
 * EventSource, which cannot send an Authorization header: the text/event-stream
 * is parsed here, and a lost stream is resumed with Last-Event-ID. When it
 * cannot be kept (no streaming fetch in this browser, or it fails again and
 * again), the page polls.
 *
 * Hazard: a browser opens at most 6 HTTP/1.1 connections to one server, for all
 * its tabs together, and an open event stream holds one of them. A page the user
 * left (Chromium keeps it in its back/forward cache, stream and all) or a tab in
 * the background would otherwise keep its stream; with a few of them every
 * request of the page in front waits for a free connection, and the page seems
 * dead (a Pause click reached the server 53 s later). So the stream is closed
 * when the page is hidden or left (visibilitychange, pagehide) and opened again,
 * with a refresh, when it is shown (visibilitychange, pageshow). Each opening
 * belongs to a generation; what an older generation's callbacks find is ignored.
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
  var stopped = false;        // for good (signing out)
  var hidden = false;         // the page is hidden or left: no stream, no timer
  var generation = 0;         // the current opening; release() ends it
  var source = null;          // EventSource, while one is open
  var stream = null;          // AbortController of the fetched stream or of the probe, while one is open

  function setMode(m, title) {
    mode = m;
    var el = document.getElementById('live');
    if (el) {
      el.textContent = m;
      el.title = title;
      el.setAttribute('data-mode', m);
    }
  }

  /** Whether callbacks of opening gen may still act: it was not released since. */
  function current(gen) {
    return !stopped && !hidden && gen === generation;
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
    if (pending || hidden || stopped) {
      return;
    }
    var wait = Math.max(0, MIN_GAP_MS - (Date.now() - lastRun));
    pending = setTimeout(run, wait);
  }

  function poll(period) {
    clearInterval(timer);
    timer = setInterval(run, period);
  }

  /** Closes the stream (or probe) and the timers of the current opening, and ends it. */
  function release() {
    generation++;
    clearInterval(timer);
    timer = null;
    clearTimeout(pending);
    pending = null;
    if (stream) {
      var s = stream;
      stream = null; // first: the fetch's rejection then sees that it was released, not lost
      s.abort();
    }
    if (source) {
      source.close();
      source = null;
    }
  }

  function useEvents(gen) {
    var es = new EventSource('../events');
    source = es;
    setMode('live: events', 'Updated by server-sent events from /events');
    es.onmessage = changed;
    ['queued', 'started', 'progress', 'requeued', 'succeeded', 'failed', 'cancelled'].forEach(function (k) {
      es.addEventListener(k, changed);
    });
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED && current(gen)) { // refused for good: back to polling
        source = null;
        setMode('live: polling 2 s', 'The event stream closed; polling every 2 seconds');
        poll(POLL_MS);
      }
    };
    poll(SAFETY_MS);
  }

  var RECONNECT_MS = 3000;    // fetched stream: wait before resuming a lost stream (or the server's retry:)
  var MAX_FAILURES = 3;       // fetched stream: connections in a row without an event before polling

  /** The events of /events, read with fetch() so that the API key goes with them. */
  function useFetchedEvents(gen) {
    var lastEventId = null;
    var failures = 0;
    var retryMs = RECONNECT_MS;

    function giveUp(reason) {
      stream = null;
      usePolling(reason);
    }

    function again(reason) {
      if (!current(gen)) {
        return;
      }
      failures++;
      if (failures >= MAX_FAILURES) {
        giveUp(reason + '; polling every 2 seconds');
        return;
      }
      setMode('live: reconnecting', reason + '; resuming the event stream');
      setTimeout(connect, retryMs);
    }

    function connect() {
      if (!current(gen)) {
        return;
      }
      var controller = new AbortController();
      stream = controller;
      var headers = Key.authorize({ 'Accept': 'text/event-stream' });
      if (lastEventId !== null) {
        headers['Last-Event-ID'] = lastEventId;
      }
      fetch('../events', { headers: headers, credentials: 'same-origin', cache: 'no-store', signal: controller.signal })
        .then(function (res) {
          if (!current(gen)) {
            controller.abort();
            return;
          }
          var type = res.headers.get('Content-Type') || '';
          if (Key.challenged(res)) {
            controller.abort();
            giveUp('The event stream needs a valid key; polling every 2 seconds');
            return;
          }
          if (!res.ok || type.indexOf('text/event-stream') !== 0 || !res.body || typeof TextDecoder === 'undefined') {
            controller.abort();
            giveUp('The event stream could not be read (/events answered ' + res.status + '); polling every 2 seconds');
            return;
          }
          failures = 0;
          setMode('live: events', 'Updated by server-sent events from /events (read with the API key)');
          return read(res.body.getReader()).then(function () {
            again('The event stream ended');
          });
        })
        .catch(function () {
          if (current(gen) && stream === controller) {
            again('The event stream was lost');
          }
        });
    }

    /** Reads text/event-stream: lines; "field: value"; a blank line ends an event; ":" a comment. */
    function read(reader) {
      var decoder = new TextDecoder('utf-8');
      var buffer = '';
      var event = { type: '', data: false, id: null };

      function line(l) {
        if (l === '') {
          if (event.id !== null) {
            lastEventId = event.id;
          }
          if (event.data) {
            changed();
          }
          event = { type: '', data: false, id: null };
          return;
        }
        if (l.charAt(0) === ':') {
          return; // a comment: heartbeat or notice
        }
        var i = l.indexOf(':');
        var field = i < 0 ? l : l.slice(0, i);
        var value = i < 0 ? '' : l.slice(i + 1).replace(/^ /, '');
        if (field === 'event') {
          event.type = value;
        } else if (field === 'data') {
          event.data = true;
        } else if (field === 'id' && value.indexOf('\u0000') < 0) {
          event.id = value;
        } else if (field === 'retry' && /^\d+$/.test(value)) {
          retryMs = Math.max(500, parseInt(value, 10));
        }
      }

      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done || !current(gen)) {
            return;
          }
          buffer += decoder.decode(chunk.value, { stream: true });
          var m;
          var re = /\r\n|\r(?!$)|\n/g; // a final \r may be the first half of \r\n
          var start = 0;
          while ((m = re.exec(buffer)) !== null) {
            line(buffer.slice(start, m.index));
            start = re.lastIndex;
          }
          buffer = buffer.slice(start);
          if (buffer.length > 1048576) { // a line of more than 1 MiB: not a stream this page reads
            throw new Error('line too long');
          }
          return pump();
        });
      }
      return pump();
    }

    poll(SAFETY_MS);
    connect();
  }

  function usePolling(reason) {
    setMode('live: polling 2 s', reason);
    poll(POLL_MS);
  }

  /** Opens a new generation: the event stream when there is one, else polling. */
  function open() {
    release();
    var gen = generation;
    if (Key.get()) {
      if (typeof AbortController === 'undefined' || typeof ReadableStream === 'undefined' || typeof TextDecoder === 'undefined') {
        usePolling('This browser cannot read an event stream with fetch(); polling every 2 seconds');
      } else {
        useFetchedEvents(gen);
      }
      return;
    }
    if (typeof EventSource === 'undefined' || typeof AbortController === 'undefined') {
      usePolling('This browser has no EventSource; polling every 2 seconds');
      return;
    }
    var probe = new AbortController();
    stream = probe;
    fetch('../events', { headers: { 'Accept': 'text/event-stream' }, credentials: 'same-origin', signal: probe.signal })
      .then(function (res) {
        var type = res.headers.get('Content-Type') || '';
        probe.abort(); // only the answer's head was wanted
        if (!current(gen)) {
          return;
        }
        stream = null;
        if (res.ok && type.indexOf('text/event-stream') === 0) {
          useEvents(gen);
        } else {
          usePolling('The server has no event stream (/events answered ' + res.status + '); polling every 2 seconds');
        }
      })
      .catch(function () {
        if (current(gen)) {
          stream = null;
          usePolling('The event stream could not be reached; polling every 2 seconds');
        }
      });
  }

  /** The page is hidden or left: its connection goes back to the browser (see Hazard above). */
  function hide() {
    if (hidden || stopped) {
      return;
    }
    hidden = true;
    release();
    setMode('live: idle', 'Not updating while the page is hidden');
  }

  /** The page is shown again: updates resume, starting with a refresh of what it shows. */
  function show() {
    if (!hidden || stopped) {
      return;
    }
    hidden = false;
    if (listener) {
      open();
      run();
    }
  }

  /** Stops every update (signing out). */
  function stop() {
    stopped = true;
    release();
  }

  /** Starts updating; onChange refreshes whatever the page shows. */
  function start(onChange) {
    listener = onChange;
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') {
        hide();
      } else {
        show();
      }
    });
    window.addEventListener('pagehide', hide);
    window.addEventListener('pageshow', function (e) {
      if (e.persisted) { // back from the back/forward cache
        show();
      }
    });
    if (document.visibilityState === 'hidden') {
      hide();
    } else {
      open();
    }
  }

  return { start: start, stop: stop, changed: changed, mode: function () { return mode; } };
}());
