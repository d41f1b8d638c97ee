/*
 * The API key of this browser tab, for servers with asyncreply.auth=apikey. A
 * browser never sends a Bearer key by itself, so the page asks for one (see
 * app.js) and sends it as "Authorization: Bearer <key>" with every request.
 *
 * The key is kept in sessionStorage: this tab only, gone when the tab closes or
 * the user signs out. Never in localStorage (it would outlive the tab), never in
 * a cookie (the browser would send it by itself, to any request), never in a URL
 * (URLs end up in history and logs).
 */
'use strict';

var Key = (function () {
  var NAME = 'asyncreply.dashboard.key';

  function store() {
    try {
      return window.sessionStorage;
    } catch (e) { // storage disabled: the key lives as long as the page
      return null;
    }
  }

  var memory = null;

  function get() {
    var s = store();
    var k = s ? s.getItem(NAME) : memory;
    return k ? k : null;
  }

  function set(key) {
    var s = store();
    if (s) {
      s.setItem(NAME, key);
    } else {
      memory = key;
    }
  }

  function clear() {
    var s = store();
    if (s) {
      s.removeItem(NAME);
    }
    memory = null;
  }

  /** Adds the Authorization header to headers (an object) when a key is in use; returns headers. */
  function authorize(headers) {
    var k = get();
    if (k) {
      headers['Authorization'] = 'Bearer ' + k;
    }
    return headers;
  }

  /** Whether res is a 401 with a Bearer challenge (the server wants an API key). */
  function challenged(res) {
    return res.status === 401 && /^\s*bearer\b/i.test(res.headers.get('WWW-Authenticate') || '');
  }

  return { get: get, set: set, clear: clear, authorize: authorize, challenged: challenged };
}());
