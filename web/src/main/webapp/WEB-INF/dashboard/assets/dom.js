/*
 * asyncreply dashboard: building the page, and talking to the server.
 * Task data (types, owners, errors, ids) is only ever put into the page as text
 * (createTextNode / textContent), never parsed as markup: a task type or an error
 * message containing <script> shows as those characters.
 */
'use strict';

var Dom = (function () {
  var SVG = 'http://www.w3.org/2000/svg';

  /** An element: h('td', {class: 'x', onclick: f}, 'text', child, ...). Strings become text nodes. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  function svg(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  function setAttrs(el, attrs) {
    if (!attrs) {
      return;
    }
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) {
        return;
      }
      if (k.slice(0, 2) === 'on' && typeof v === 'function') {
        el.addEventListener(k.slice(2), v);
      } else if (k === 'href') {
        el.setAttribute('href', safeHref(String(v)));
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    });
  }

  /** Only links into this page (#...) or onto this server (/...); anything else is dropped. */
  function safeHref(v) {
    return (v.charAt(0) === '#' || (v.charAt(0) === '/' && v.charAt(1) !== '/')) ? v : '#';
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) {
      return;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) { append(el, c); });
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }

  /** Replaces every child of el with the given ones. */
  function fill(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
    for (var i = 1; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  function time(iso) {
    if (!iso) {
      return '';
    }
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  function ago(iso) {
    if (!iso) {
      return '';
    }
    var s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (isNaN(s)) {
      return '';
    }
    if (s < 0) {
      s = 0;
    }
    if (s < 90) {
      return s + ' s ago';
    }
    if (s < 5400) {
      return Math.round(s / 60) + ' min ago';
    }
    return Math.round(s / 3600) + ' h ago';
  }

  function bytes(n) {
    if (n === null || n === undefined) {
      return 'unknown';
    }
    if (n < 1024) {
      return n + ' B';
    }
    if (n < 1048576) {
      return (n / 1024).toFixed(1) + ' KiB';
    }
    return (n / 1048576).toFixed(1) + ' MiB';
  }

  function toast(message, isError) {
    var t = document.getElementById('toast');
    fill(t, message);
    t.className = 'toast' + (isError ? ' error' : '');
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, 6000);
  }

  return { h: h, svg: svg, fill: fill, time: time, ago: ago, bytes: bytes, toast: toast };
}());

var Api = (function () {
  /** The dashboard API's base: pages are at <context>/dashboard/, the API at <context>/dashboard/api/. */
  var BASE = 'api/';

  /** Called with no argument when the server asks for an API key (401, Bearer); see app.js. */
  var onUnauthorized = null;

  function ApiError(status, problem, bearer) {
    this.status = status;
    this.bearer = bearer === true;
    this.problem = problem || {};
    this.message = (this.problem.title || ('HTTP ' + status)) + (this.problem.detail ? ': ' + this.problem.detail : '');
  }

  /** GET (or method) on the dashboard API; resolves with the JSON answer, rejects with an ApiError. */
  function call(path, method) {
    var headers = { 'Accept': 'application/json' };
    if (method && method !== 'GET') {
      headers['X-Requested-With'] = 'asyncreply-dashboard'; // the server refuses actions without it (CSRF)
    }
    Key.authorize(headers); // Authorization: Bearer <key>, when the user signed in with one
    return fetch(BASE + path, { method: method || 'GET', headers: headers, credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        var type = res.headers.get('Content-Type') || '';
        var body = type.indexOf('json') >= 0 ? res.json() : Promise.resolve(null);
        return body.then(function (json) {
          if (!res.ok) {
            var bearer = Key.challenged(res);
            if (bearer && onUnauthorized) {
              onUnauthorized();
            }
            throw new ApiError(res.status, json, bearer);
          }
          return json;
        });
      });
  }

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null && params[k] !== '') {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(params[k]));
      }
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  return {
    get: function (path) { return call(path, 'GET'); },
    post: function (path) { return call(path, 'POST'); },
    query: query,
    seg: encodeURIComponent,
    /** f(): what to do when a later call is answered 401 with a Bearer challenge (the key was revoked). */
    onUnauthorized: function (f) { onUnauthorized = f; }
  };
}());
