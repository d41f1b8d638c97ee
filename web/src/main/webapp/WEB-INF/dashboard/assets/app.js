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

  Api.get('session').then(function (s) {
    session = s;
    document.body.setAttribute('data-role', s.role);
    document.getElementById('who').textContent = s.authenticated
      ? s.owner + ' (' + s.role.toLowerCase() + (s.mayAct ? '' : ', read only') + ')'
      : (s.mayAct ? 'no authentication' : 'read only');
  }, function (e) {
    Dom.toast(e.message, true);
  }).then(function () {
    window.addEventListener('hashchange', route);
    route();
    Live.start(function () {
      if (current) {
        current.refresh();
      }
    });
  });
}());
