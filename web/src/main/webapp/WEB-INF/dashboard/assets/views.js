/*
 * The dashboard's views: overview, task list, task page, search results. Each
 * view is mounted once per route and then refreshed in place (live updates),
 * so that what the user types into its filters is never lost.
 */
'use strict';

var Views = (function () {
  var h = Dom.h;
  var STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

  function status(s) {
    return h('span', { class: 'status status-' + String(s).toLowerCase(), 'data-status': s }, s);
  }

  function taskLink(id) {
    return h('a', { href: '#/task/' + encodeURIComponent(id), class: 'mono task-link', 'data-id': id }, id);
  }

  function failed(err) {
    Dom.toast(err && err.message ? err.message : String(err), true);
  }

  /** What an action that failed shows: what was asked, and why the server said no (or that it did not answer). */
  function actionFailed(what) {
    return function (err) {
      Dom.toast(what + ' failed: ' + (err && err.message ? err.message : String(err)), true);
    };
  }

  /**
   * The refresh of a view: load() (a request and its rendering) one at a time. A refresh asked
   * for while one is under way runs once that one is answered, not beside it, so that an older
   * answer never lands after a newer one (a refresh started before an action would otherwise
   * repaint the state from before it), and a slow server gets one request per page, not a pile.
   * Returns a promise of a load that began after the call. load() handles its own failures.
   */
  function serial(load) {
    var running = null;
    var queued = null;

    function begin() {
      var done = function () { running = null; };
      running = load().then(done, done);
      return running;
    }

    return function refresh() {
      if (!running) {
        return begin();
      }
      if (!queued) {
        queued = running.then(function () {
          queued = null;
          return begin();
        });
      }
      return queued;
    };
  }

  function section(title, id) {
    var body = h('div', { id: id });
    return { el: h('section', { class: 'card' }, h('h2', null, title), body), body: body };
  }

  /** A bar per minute: finished tasks, failures in red. */
  function sparkline(series, minutes) {
    var w = 2, gap = 1, height = 24;
    var totals = [], max = 1;
    for (var i = 0; i < minutes; i++) {
      var ok = series ? series.succeeded[i] + series.cancelled[i] : 0;
      var bad = series ? series.failed[i] : 0;
      totals.push([ok, bad]);
      max = Math.max(max, ok + bad);
    }
    var g = Dom.svg('svg', { class: 'spark', width: minutes * (w + gap), height: height, role: 'img',
      'aria-label': 'finished per minute, last hour' });
    totals.forEach(function (t, i) {
      var okH = Math.round(t[0] / max * height), badH = Math.round(t[1] / max * height);
      if (t[0] > 0 && okH === 0) { okH = 1; }
      if (t[1] > 0 && badH === 0) { badH = 1; }
      if (okH > 0) {
        g.appendChild(Dom.svg('rect', { x: i * (w + gap), y: height - okH - badH, width: w, height: okH, class: 'ok' }));
      }
      if (badH > 0) {
        g.appendChild(Dom.svg('rect', { x: i * (w + gap), y: height - badH, width: w, height: badH, class: 'bad' }));
      }
    });
    return g;
  }

  // ------------------------------------------------------------------ overview

  function overview(main, session) {
    var health = section('Health', 'health');
    var types = section('Task types', 'types');
    var nodes = section('Nodes', 'nodes');
    Dom.fill(main, h('h1', null, 'Overview'), h('div', { class: 'grid' }, health.el, nodes.el), types.el);

    var busy = {}; // type -> true while its pause or resume is under way: its button is disabled

    function act(type, what) {
      if (busy[type]) {
        return;
      }
      busy[type] = true;
      Api.post('types/' + Api.seg(type) + '/' + what).then(function () {
        Dom.toast('Type ' + type + (what === 'pause' ? ' paused' : ' resumed'));
      }, actionFailed((what === 'pause' ? 'Pausing ' : 'Resuming ') + type)).then(function () {
        delete busy[type];
        return refresh();
      });
    }

    function render(o) {
      if (!main.contains(types.body)) {
        return; // another view replaced this one meanwhile
      }
      var hl = o.health;
      Dom.fill(health.body, h('dl', { class: 'facts' },
        h('dt', null, 'Status'), h('dd', { id: 'health-status', class: hl.up ? 'good' : 'bad' },
          hl.up ? 'up' : (hl.storeUp ? 'not accepting' : 'store unreachable')),
        h('dt', null, 'Queued (all nodes)'), h('dd', { id: 'health-queued' }, hl.queued + ' of ' + hl.queueCapacity),
        h('dt', null, 'Running here'), h('dd', null, hl.running + ' on ' + hl.workers + ' workers'),
        h('dt', null, 'This node'), h('dd', { class: 'mono' }, hl.node || '')));

      Dom.fill(nodes.body, o.nodes.length === 0 ? h('p', { class: 'muted' }, 'No node registry in this store.') :
        h('table', null, h('thead', null, h('tr', null, h('th', null, 'Node'), h('th', null, 'Started'),
          h('th', null, 'Last heartbeat'), h('th', { class: 'num' }, 'Running'), h('th', null, 'Health'))),
        h('tbody', null, o.nodes.map(function (n) {
          return h('tr', { 'data-node': n.id }, h('td', { class: 'mono' }, n.id, n.self ? ' (this one)' : ''),
            h('td', null, Dom.time(n.startedAt)), h('td', null, Dom.ago(n.lastHeartbeat)),
            h('td', { class: 'num' }, n.running), h('td', { class: n.stale ? 'bad' : 'good' }, n.stale ? 'stale' : 'alive'));
        }))));

      var byType = {};
      o.throughput.types.forEach(function (s) { byType[s.type] = s; });
      var head = h('tr', null, h('th', null, 'Type'), h('th', { class: 'num' }, 'Queued'), h('th', { class: 'num' }, 'Running'),
        h('th', null, 'State'), h('th', { class: 'num' }, 'Nodes'), h('th', { class: 'num' }, 'Finished (1 h)'),
        h('th', { class: 'num' }, 'Failed (1 h)'), h('th', null, 'Per minute, last hour'), session.mayAct ? h('th', null, '') : null);
      Dom.fill(types.body, o.types.length === 0 ? h('p', { class: 'muted' }, 'No task types yet.') :
        h('table', null, h('thead', null, head), h('tbody', null, o.types.map(function (t) {
          return h('tr', { 'data-type': t.type },
            h('td', null, h('a', { href: '#/tasks?type=' + encodeURIComponent(t.type), class: 'type-name' }, t.type)),
            h('td', { class: 'num queued' }, t.queued), h('td', { class: 'num running' }, t.running),
            h('td', null, t.paused ? h('span', { class: 'badge paused' }, 'paused') : h('span', { class: 'badge' }, 'active')),
            h('td', { class: 'num' }, t.nodes.length),
            h('td', { class: 'num finished' }, t.finishedLastHour),
            h('td', { class: 'num failed' + (t.failedLastHour > 0 ? ' bad' : '') }, t.failedLastHour),
            h('td', null, sparkline(byType[t.type], o.throughput.minutes)),
            session.mayAct ? h('td', null, h('button', { type: 'button', class: 'small', 'data-action': t.paused ? 'resume' : 'pause',
              disabled: busy[t.type] === true, onclick: function (e) {
                e.currentTarget.disabled = true;
                act(t.type, t.paused ? 'resume' : 'pause');
              } }, t.paused ? 'Resume' : 'Pause')) : null);
        }))));
      main.setAttribute('data-loaded', 'overview');
    }

    var refresh = serial(function () {
      return Api.get('overview').then(render, failed);
    });

    refresh();
    return { refresh: refresh };
  }

  // ------------------------------------------------------------------ task list

  function tasks(main, session, params) {
    var filters = { status: params.status || '', type: params.type || '', owner: params.owner || '' };
    var cursor = params.cursor || '';
    var statusSel = h('select', { id: 'f-status', name: 'status' }, h('option', { value: '' }, 'any status'),
      STATUSES.map(function (s) { return h('option', { value: s, selected: s === filters.status }, s); }));
    var typeIn = h('input', { id: 'f-type', name: 'type', placeholder: 'any type', value: filters.type, size: 14 });
    var ownerIn = h('input', { id: 'f-owner', name: 'owner', placeholder: 'any owner', value: filters.owner, size: 14 });
    var form = h('form', { id: 'filters', class: 'filters' },
      h('label', null, 'Status ', statusSel), h('label', null, 'Type ', typeIn),
      h('label', null, 'Owner ', ownerIn), h('button', { type: 'submit' }, 'Apply'));
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      location.hash = '#/tasks' + Api.query({ status: statusSel.value, type: typeIn.value.trim(), owner: ownerIn.value.trim() });
    });
    var body = h('div', { id: 'task-list' });
    var pager = h('div', { class: 'pager' });
    Dom.fill(main, h('h1', null, 'Tasks'), form, body, pager);

    function render(page) {
      if (!main.contains(body)) {
        return; // another view replaced this one meanwhile
      }
      Dom.fill(body, page.items.length === 0 ? h('p', { class: 'muted', id: 'no-tasks' }, 'No tasks match.') :
        h('table', { id: 'tasks' }, h('thead', null, h('tr', null, h('th', null, 'Id'), h('th', null, 'Type'),
          h('th', null, 'Status'), h('th', null, 'Owner'), h('th', null, 'Submitted'), h('th', null, 'Finished'),
          h('th', { class: 'num' }, 'Attempts'), h('th', { class: 'num' }, 'Progress'))),
        h('tbody', null, page.items.map(function (t) {
          return h('tr', { 'data-id': t.id }, h('td', null, taskLink(t.id)), h('td', { class: 'type-name' }, t.type),
            h('td', null, status(t.status)), h('td', null, t.owner === null ? h('span', { class: 'muted' }, 'anonymous') : t.owner),
            h('td', null, Dom.time(t.submittedAt)), h('td', null, Dom.time(t.finishedAt)),
            h('td', { class: 'num' }, t.attempts), h('td', { class: 'num' }, t.progress === undefined ? '' : t.progress + ' %'));
        }))));
      Dom.fill(pager,
        cursor ? h('a', { href: '#/tasks' + Api.query(filters), class: 'button' }, 'Newest') : null,
        page.next ? h('a', { href: '#/tasks' + Api.query(Object.assign({}, filters, { cursor: page.next })), class: 'button', id: 'next-page' }, 'Older') : null);
      main.setAttribute('data-loaded', 'tasks');
    }

    var refresh = serial(function () {
      return Api.get('tasks' + Api.query(Object.assign({}, filters, { cursor: cursor }))).then(render, failed);
    });

    refresh();
    return { refresh: refresh };
  }

  // ------------------------------------------------------------------ task page

  function task(main, session, id) {
    var head = h('div', { id: 'task-head' });
    var fields = h('div', { id: 'task-fields' });
    var errorBox = h('div', { id: 'task-error' });
    var actions = h('div', { id: 'task-actions', class: 'actions' });
    var attempts = h('div', { id: 'attempts' });
    Dom.fill(main, h('h1', null, 'Task ', h('span', { class: 'mono', id: 'task-id' }, id)), head, actions, fields, errorBox,
      h('section', { class: 'card' }, h('h2', null, 'Attempts'), attempts));

    function act(what, button) {
      button.disabled = true; // until the answer: one click, one request
      Api.post('tasks/' + Api.seg(id) + '/' + what).then(function (r) {
        if (what === 'retry') {
          Dom.toast('Submitted again as task ' + r.task.id);
          location.hash = '#/task/' + encodeURIComponent(r.task.id);
        } else {
          Dom.toast(r.task.status === 'CANCELLED' ? 'Cancelled' : 'Cancel requested; the handler stops soon');
          refresh();
        }
      }, function (err) {
        button.disabled = false;
        actionFailed(what === 'retry' ? 'Retrying the task' : 'Cancelling the task')(err);
        refresh();
      });
    }

    function row(label, value, fieldId) {
      return [h('dt', null, label), h('dd', { id: fieldId }, value)];
    }

    function render(d) {
      if (!main.contains(head)) {
        return; // another view replaced this one meanwhile
      }
      var t = d.task;
      Dom.fill(head, h('p', null, status(t.status), t.cancelRequested && !(t.status === 'CANCELLED') ? h('span', { class: 'badge' }, 'cancel requested') : null,
        t.status === 'RUNNING' || t.progress !== undefined ? h('progress', { id: 'task-progress', max: 100, value: t.progress || 0 }) : null,
        t.progress !== undefined ? h('span', { class: 'muted' }, ' ' + t.progress + ' %') : null));
      Dom.fill(fields, h('dl', { class: 'facts' },
        row('Type', t.type, 'task-type'),
        row('Owner', t.owner === null ? 'anonymous' : t.owner, 'task-owner'),
        row('Priority', t.priority),
        row('Submitted', Dom.time(t.submittedAt)),
        t.startedAt ? row('Started', Dom.time(t.startedAt)) : null,
        t.finishedAt ? row('Finished', Dom.time(t.finishedAt)) : null,
        t.runAt ? row('Runs at', Dom.time(t.runAt)) : null,
        t.expiresAt ? row('Expires at', Dom.time(t.expiresAt)) : null,
        row('Attempts', t.attempts),
        t.retryOf ? row('Retry of', taskLink(t.retryOf)) : null,
        row('Payload', Dom.bytes(d.payloadSize), 'task-payload-size'),
        t.result ? row('Result', [h('a', { href: t.result.url, id: 'task-result', target: '_blank', rel: 'noopener' }, 'open'),
          ' ' + (t.result.contentType || 'no content type') + ', ' + Dom.bytes(t.result.size)]) : null));
      Dom.fill(errorBox, t.error ? h('section', { class: 'card error' }, h('h2', null, t.status === 'FAILED' ? 'Error' : 'Last error'),
        h('p', { class: 'mono', id: 'task-error-code' }, t.error.code || ''), h('pre', { id: 'task-error-message' }, t.error.message || '')) : null);
      var offered = JSON.stringify(d.actions);
      if (offered === actions.getAttribute('data-offered')) {
        return finishRender(d);
      }
      actions.setAttribute('data-offered', offered); // buttons are replaced only when they change: no click is lost
      Dom.fill(actions,
        d.actions.cancel ? h('button', { type: 'button', id: 'action-cancel', class: 'danger', onclick: function (e) { act('cancel', e.currentTarget); } }, 'Cancel') : null,
        d.actions.retry ? h('button', { type: 'button', id: 'action-retry', onclick: function (e) { act('retry', e.currentTarget); } }, 'Retry') : null);
      finishRender(d);
    }

    function finishRender(d) {
      Dom.fill(attempts, d.attempts.length === 0 ? h('p', { class: 'muted' }, 'Not run yet.') :
        h('table', null, h('thead', null, h('tr', null, h('th', { class: 'num' }, '#'), h('th', null, 'Node'), h('th', null, 'Started'),
          h('th', null, 'Ended'), h('th', null, 'Outcome'), h('th', null, 'Error'))),
        h('tbody', null, d.attempts.map(function (a) {
          return h('tr', null, h('td', { class: 'num' }, a.attempt), h('td', { class: 'mono' }, a.node || ''),
            h('td', null, Dom.time(a.startedAt)), h('td', null, Dom.time(a.finishedAt)), h('td', null, a.outcome || 'running'),
            h('td', null, a.error ? (a.error.code + ': ' + a.error.message) : ''));
        }))));
      main.setAttribute('data-loaded', 'task');
    }

    var refresh = serial(function () {
      return Api.get('tasks/' + Api.seg(id)).then(render, function (e) {
        if (!main.contains(head)) {
          return;
        }
        if (e && e.status === 404) {
          Dom.fill(head, h('p', { class: 'bad', id: 'task-missing' }, 'There is no such task (or it was purged).'));
          main.setAttribute('data-loaded', 'task');
        } else {
          failed(e);
        }
      });
    });

    refresh();
    return { refresh: refresh };
  }

  // ------------------------------------------------------------------ search

  function search(main, session, params) {
    var q = params.q || '';
    var body = h('div', { id: 'search-results' });
    Dom.fill(main, h('h1', null, 'Search'), h('p', null, 'Tasks with id or idempotency key ', h('span', { class: 'mono' }, q)), body);

    var redirected = false; // one result: the task page replaces this view
    var shownOnce = false;  // a list was shown: a later refresh with one result stays here
    var refresh = serial(function () {
      return Api.get('search' + Api.query({ q: q, owner: params.owner })).then(function (r) {
        if (!main.contains(body) || redirected) {
          return; // another view replaced this one meanwhile
        }
        if (r.items.length === 1 && !shownOnce) {
          redirected = true;
          location.replace('#/task/' + encodeURIComponent(r.items[0].id));
          return;
        }
        shownOnce = true;
        Dom.fill(body, r.items.length === 0 ? h('p', { class: 'muted', id: 'nothing-found' }, 'Nothing found.') :
          h('ul', null, r.items.map(function (t) { return h('li', null, taskLink(t.id), ' ', t.type, ' ', status(t.status)); })));
        main.setAttribute('data-loaded', 'search');
      }, failed);
    });

    refresh();
    return { refresh: refresh };
  }

  return { overview: overview, tasks: tasks, task: task, search: search };
}());
