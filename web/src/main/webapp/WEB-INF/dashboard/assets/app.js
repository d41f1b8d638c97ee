/*
 * The dashboard's entry: who is looking, the routes (#/, #/tasks?..., #/task/ID,
 * #/search?q=...), the search box, and live updates.
 */
'use strict';

(function () {
  var main = document.getElementById('main');
  var session = { mayAct: false, role: 'VIEWER' };
  var current = null;

  function params(query) {
    var out = {};
    (query || '').split('&').forEach(function (p) {
      if (!p) {
        return;
      }
      var i = p.indexOf('=');
      var k = decodeURIComponent(i < 0 ? p : p.slice(0, i));
      out[k] = i < 0 ? '' : decodeURIComponent(p.slice(i + 1).replace(/\+/g, ' '));
    });
    return out;
  }

  function route() {
    var hash = location.hash.replace(/^#/, '') || '/';
    var q = hash.indexOf('?');
    var path = q < 0 ? hash : hash.slice(0, q);
    var p = params(q < 0 ? '' : hash.slice(q + 1));
    main.removeAttribute('data-loaded');
    document.getElementById('nav-overview').className = path === '/' ? 'active' : '';
    document.getElementById('nav-tasks').className = path.indexOf('/task') === 0 ? 'active' : '';
    if (path.indexOf('/task/') === 0) {
      current = Views.task(main, session, decodeURIComponent(path.slice('/task/'.length)));
    } else if (path === '/tasks') {
      current = Views.tasks(main, session, p);
    } else if (path === '/search') {
      current = Views.search(main, session, p);
    } else {
      current = Views.overview(main, session);
    }
  }

  document.getElementById('search').addEventListener('submit', function (e) {
    e.preventDefault();
    var q = document.getElementById('search-q').value.trim();
    if (q) {
      location.hash = '#/search?q=' + encodeURIComponent(q);
    }
  });

  var started = false;
  var signOut = document.getElementById('sign-out');

  signOut.addEventListener('click', function () {
    Key.clear();
    Live.stop();
    location.reload(); // starts over without a key: the server asks for one
  });

  function showWho(s) {
    document.body.setAttribute('data-role', s.role);
    document.getElementById('who').textContent = s.authenticated
      ? s.owner + ' (' + s.role.toLowerCase() + (s.mayAct ? '' : ', read only') + ')'
      : (s.mayAct ? 'no authentication' : 'read only');
    signOut.hidden = !Key.get();
  }

  /** The views and live updates, once the server let us in (or would not say who we are). */
  function begin() {
    if (started) {
      route();
      return;
    }
    started = true;
    window.addEventListener('hashchange', route);
    route();
    Live.start(function () {
      if (current) {
        current.refresh();
      }
    });
  }

  /**
   * The server wants an API key (asyncreply.auth=apikey; 401 with a Bearer challenge): a form
   * asks for one. The field has no name, and the form is never submitted (the script takes the
   * value), so the key cannot end up in a URL.
   */
  function signIn(message) {
    var h = Dom.h;
    var input = h('input', { id: 'sign-in-key', type: 'password', autocomplete: 'off', spellcheck: 'false',
      'aria-label': 'API key', size: 40, required: true });
    var form = h('form', { id: 'sign-in', class: 'sign-in', method: 'post' },
      h('label', null, 'API key ', input), h('button', { type: 'submit', id: 'sign-in-submit' }, 'Sign in'));
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var key = input.value.trim();
      input.value = '';
      if (!key) {
        return;
      }
      Key.set(key);
      if (started) {
        location.reload(); // signed in again after the key stopped working: start afresh
      } else {
        start();
      }
    });
    document.getElementById('who').textContent = '';
    signOut.hidden = true;
    Dom.fill(main, h('section', { class: 'card narrow' }, h('h1', null, 'Sign in'),
      message ? h('p', { class: 'bad', id: 'sign-in-error' }, message) : null,
      h('p', null, 'This server wants an API key: an admin or a viewer key.'), form,
      h('p', { class: 'muted' }, 'The key stays in this tab (session storage) until you sign out or close it.')));
    main.setAttribute('data-loaded', 'sign-in');
    input.focus();
  }

  /** Signed in, but the key is a user's: the dashboard is for admins and viewers. */
  function refused() {
    var h = Dom.h;
    signOut.hidden = false;
    Dom.fill(main, h('section', { class: 'card narrow' }, h('h1', null, 'Not allowed'),
      h('p', { class: 'bad', id: 'refused' }, 'This key is not an admin or viewer key.'),
      h('p', null, 'Sign out to use another key.')));
    main.setAttribute('data-loaded', 'refused');
  }

  Api.onUnauthorized(function () {
    if (started && !document.getElementById('sign-in')) {
      Key.clear();
      Live.stop();
      signIn('The server no longer accepts the key; sign in again.');
    }
  });

  function start() {
    Api.get('session').then(function (s) {
      session = s;
      showWho(s);
      begin();
    }, function (e) {
      if (e && e.bearer) {
        var hadKey = Key.get() !== null;
        Key.clear();
        signIn(hadKey ? 'The server did not accept that key.' : '');
      } else if (e && e.status === 403 && Key.get()) {
        refused();
      } else {
        Dom.toast(e && e.message ? e.message : String(e), true);
        begin();
      }
    });
  }

  start();
}());
