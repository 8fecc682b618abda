/* Public live page: the live or next session, live Q&A over socket.io /live, the schedule, the window board and
 * a receipt lookup over /window. Every piece of user text goes through textContent (Hub.h). */
(function () {
  'use strict';
  var H = window.Hub, h = H.h, $ = H.$;
  var LS = window.localStorage;

  function store(key, fallback) {
    try { var v = LS.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function save(key, v) {
    try { LS.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode: keep in memory only */ }
  }
  function viewerKey() {
    var k = store('hub.viewerKey', null);
    if (typeof k === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(k)) return k;
    var chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    var bytes = new Uint8Array(24);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    k = 'v';
    for (var i = 0; i < bytes.length; i++) k += chars[bytes[i] % chars.length];
    save('hub.viewerKey', k);
    return k;
  }

  var state = {
    key: viewerKey(),
    deps: [],
    session: null,
    questions: {},          // id → public question
    highlighted: null,
    votes: store('hub.votes', {}),       // questionId → true
    // [{id, sessionId, text, nickname, at}] asked here, shown while pending; a rejected one is forgotten after a day
    mine: store('hub.myQuestions', []).filter(function (m) { return m && Date.now() - new Date(m.at).getTime() < 86400000; }),
    live: null,
    win: null,
    watch: null,            // {receiptNo, code}
    lookup: null,
  };

  // ---------- offline banner ----------
  var down = { live: false, win: false, net: !navigator.onLine };
  function updateBanner() {
    $('#offline').hidden = !(down.live || down.win || down.net);
  }
  window.addEventListener('online', function () { down.net = false; updateBanner(); });
  window.addEventListener('offline', function () { down.net = true; updateBanner(); });

  // ---------- sessions ----------
  function loadSessions() {
    var now = Date.now();
    var from = new Date(now - 12 * 3600000).toISOString();
    var to = new Date(now + 120 * 86400000).toISOString();
    return H.api('/api/livestream/sessions?from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to) + '&pageSize=200', { auth: false })
      .catch(function () { return H.api('/api/livestream/sessions', { auth: false }); })
      .then(function (r) {
        var list = H.items(r).filter(function (s) { return s.status !== 'cancelled'; });
        list.sort(function (a, b) { return new Date(a.startsAt) - new Date(b.startsAt); });
        var nowMs = Date.now();
        var current = list.filter(function (s) { return s.status === 'live'; })[0] ||
          list.filter(function (s) { return s.status === 'scheduled' && new Date(s.endsAt).getTime() > nowMs; })[0] || null;
        var upcoming = list.filter(function (s) { return s !== current && s.status === 'scheduled' && new Date(s.endsAt).getTime() > nowMs; });
        renderSchedule(upcoming);
        setSession(current);
      })
      .catch(function () {
        H.clear($('#player')).appendChild(h('p', { class: 'placeholder' }, '暂时无法获取直播信息，请稍后刷新。'));
        H.clear($('#schedule')).appendChild(h('li', { class: 'muted' }, '暂时无法获取直播预告。'));
      });
  }

  function leaderNames(s) {
    if (Array.isArray(s.leaders) && s.leaders.length) return s.leaders.map(function (l) { return l.title ? l.name + '（' + l.title + '）' : l.name; }).join('、');
    return '';
  }

  function setSession(s) {
    var changed = !state.session || !s || state.session.id !== s.id;
    state.session = s;
    renderSession();
    if (changed) {
      state.questions = {};
      state.highlighted = null;
      renderFeed();
      if (s) joinSession();
    }
  }

  function renderSession() {
    var s = state.session;
    var player = H.clear($('#player'));
    var info = H.clear($('#session-info'));
    if (!s) {
      $('#now-h').textContent = '直播间';
      player.appendChild(h('p', { class: 'placeholder' }, '近期暂无直播安排，欢迎关注直播预告。'));
      setAskEnabled(false, '当前没有直播，暂不能提问。');
      return;
    }
    $('#now-h').textContent = s.status === 'live' ? '正在直播' : '下一场直播';
    if (s.streamUrl) {
      var v = h('video', { controls: true, playsinline: true, 'webkit-playsinline': true, 'x5-playsinline': true, preload: 'none', 'aria-label': '直播画面：' + s.title });
      v.src = s.streamUrl;
      var hls = /\.m3u8(\?|$)/i.test(s.streamUrl);
      if (hls && !v.canPlayType('application/vnd.apple.mpegurl')) {
        player.appendChild(h('p', { class: 'placeholder' }, '本浏览器不能直接播放直播流。', h('br'), h('a', { href: s.streamUrl, target: '_blank', rel: 'noopener', style: 'color:#fff' }, '在新窗口打开直播')));
      } else {
        player.appendChild(v);
      }
    } else {
      player.appendChild(h('p', { class: 'placeholder' }, s.status === 'live' ? '直播信号接入中，请稍候…您可以先在右侧提问。' : '直播将于 ' + H.fmtDateTime(s.startsAt) + ' 开始'));
    }
    var leaders = leaderNames(s);
    info.appendChild(h('p', { class: 'session-title', id: 'session-title' }, h('span', { class: 'badge ' + s.status }, H.SESSION_STATUS[s.status] || s.status), ' ', s.title));
    if (s.description) info.appendChild(h('p', { class: 'muted' }, s.description));
    info.appendChild(h('dl', { class: 'meta' },
      h('dt', null, '时间'), h('dd', null, H.fmtDateTime(s.startsAt) + ' – ' + H.fmtTime(s.endsAt)),
      h('dt', null, '部门'), h('dd', { id: 'session-dep' }, H.depName(state.deps, s.departmentCode)),
      leaders ? [h('dt', null, '嘉宾'), h('dd', null, leaders)] : null));
    if (s.streamUrl) info.appendChild(h('p', { class: 'small' }, h('a', { href: s.streamUrl, target: '_blank', rel: 'noopener' }, '无法播放？在新窗口打开直播')));
    if (s.status === 'ended') setAskEnabled(false, '本场直播已结束，感谢参与。');
    else if (!state.live) setAskEnabled(false, '互动服务连接中…');
    else setAskEnabled(state.live.connected, state.live.connected ? '' : '网络断开，恢复后可继续提问。');
  }

  function renderSchedule(list) {
    var ul = H.clear($('#schedule'));
    if (!list.length) { ul.appendChild(h('li', { class: 'muted' }, '暂无更多直播预告。')); return; }
    list.slice(0, 8).forEach(function (s) {
      ul.appendChild(h('li', null,
        h('div', null, h('strong', null, s.title)),
        h('div', { class: 'small muted' }, H.fmtDateTime(s.startsAt) + ' · ' + H.depName(state.deps, s.departmentCode) + (leaderNames(s) ? ' · ' + leaderNames(s) : ''))));
    });
  }

  // ---------- Q&A ----------
  function setAskEnabled(on, why) {
    $('#ask-btn').disabled = !on;
    $('#ask-text').disabled = !on;
    $('#ask-nick').disabled = !on;
    $('#qa-state').textContent = why || '提问经审核后公开显示，领导将在直播中或直播后答复。';
  }

  function connectLive() {
    if (typeof window.io !== 'function') {
      setAskEnabled(false, '互动服务暂不可用，稍后会自动刷新问题列表。');
      setInterval(pollQuestions, 15000);
      return;
    }
    var sock = window.io('/live', { auth: { viewerKey: state.key }, transports: ['websocket', 'polling'] });
    state.live = sock;
    sock.on('connect', function () {
      down.live = false; updateBanner();
      if (state.session) joinSession();
      renderSession();
    });
    sock.on('disconnect', function (reason) {
      down.live = true; updateBanner();
      if (reason === 'io server disconnect') sock.connect();
      renderSession();
    });
    sock.on('connect_error', function () { down.live = true; updateBanner(); });
    sock.on('question:approved', function (m) {
      var q = m && m.question;
      if (!q || !state.session || q.sessionId !== state.session.id) return;
      state.questions[q.id] = q;
      dropMine(q.id);
      renderFeed();
    });
    sock.on('question:upvoted', function (m) {
      var q = state.questions[m.questionId];
      if (q) { q.upvotes = m.upvotes; renderFeed(); }
    });
    sock.on('question:answered', function (m) {
      var q = state.questions[m.questionId];
      if (q) { q.answer = m.answer; renderFeed(); }
    });
    sock.on('question:highlighted', function (m) {
      state.highlighted = m.questionId;
      Object.keys(state.questions).forEach(function (id) { state.questions[id].highlighted = Number(id) === m.questionId; });
      renderFeed();
    });
    sock.on('session:status', function (m) {
      if (state.session && m.sessionId === state.session.id) {
        state.session.status = m.status;
        renderSession();
        if (m.status === 'ended' || m.status === 'cancelled') setTimeout(loadSessions, 3000);
      }
    });
    sock.on('viewers:count', function (m) {
      if (state.session && m.sessionId === state.session.id) $('#viewers').textContent = '· ' + m.count + ' 人在看';
    });
  }

  function joinSession() {
    var sock = state.live, s = state.session;
    if (!sock || !sock.connected || !s) { if (!sock) pollQuestions(); return; }
    sock.timeout(10000).emit('session:join', { sessionId: s.id }, function (err, res) {
      if (err || !res || !res.ok) { pollQuestions(); return; }
      if (res.session) { state.session = Object.assign(state.session, res.session); renderSession(); }
      state.questions = {};
      (res.questions || []).forEach(function (q) {
        if (q.status && q.status !== 'approved') return;
        state.questions[q.id] = q;
        dropMine(q.id, true);
        if (q.highlighted) state.highlighted = q.id;
      });
      renderFeed();
    });
  }

  function pollQuestions() {
    var s = state.session;
    if (!s) return;
    H.api('/api/livestream/sessions/' + s.id + '/questions?pageSize=500', { auth: false }).then(function (r) {
      state.questions = {};
      H.items(r).forEach(function (q) { state.questions[q.id] = q; dropMine(q.id, true); if (q.highlighted) state.highlighted = q.id; });
      renderFeed();
    }).catch(function () { /* keep what we have */ });
  }

  function dropMine(id, quiet) {
    var before = state.mine.length;
    state.mine = state.mine.filter(function (m) { return m.id !== id; });
    if (state.mine.length !== before) {
      save('hub.myQuestions', state.mine);
      if (!quiet) H.toast('您的问题已通过审核并公开显示。', 'ok');
    }
  }

  function renderFeed() {
    var ol = $('#feed');
    var active = document.activeElement;
    var focusId = active && active.getAttribute && active.getAttribute('data-qid');
    H.clear(ol);
    var s = state.session;
    var list = Object.keys(state.questions).map(function (k) { return state.questions[k]; });
    list.sort(function (a, b) {
      var ha = a.highlighted || a.id === state.highlighted ? 1 : 0, hb = b.highlighted || b.id === state.highlighted ? 1 : 0;
      if (ha !== hb) return hb - ha;
      if (b.upvotes !== a.upvotes) return b.upvotes - a.upvotes;
      return new Date(a.createdAt) - new Date(b.createdAt);
    });
    var mine = s ? state.mine.filter(function (m) { return m.sessionId === s.id; }) : [];
    mine.forEach(function (m) {
      ol.appendChild(h('li', { class: 'q mine-pending', 'data-mine': m.id },
        h('div', { class: 'who' }, h('span', { class: 'badge pending' }, '审核中 · 仅您可见'), ' ', m.nickname || '我'),
        h('p', { class: 'text' }, m.text)));
    });
    list.forEach(function (q) {
      var isHl = q.highlighted || q.id === state.highlighted;
      var voted = !!state.votes[q.id];
      var li = h('li', { class: 'q' + (isHl ? ' highlighted' : ''), 'data-qid-item': q.id, 'aria-current': isHl ? 'true' : null },
        h('div', { class: 'who' }, (q.nickname || '网友') + ' · ' + H.fmtTime(q.createdAt)),
        h('p', { class: 'text' }, q.text),
        h('div', { class: 'row' },
          h('button', { type: 'button', class: 'vote', 'data-qid': q.id, 'aria-pressed': voted ? 'true' : 'false', 'aria-label': (voted ? '已赞同' : '赞同这个问题') + '，当前 ' + q.upvotes + ' 票', onclick: function () { upvote(q.id); } }, '▲ ' + q.upvotes)),
        q.answer ? h('div', { class: 'answer' }, h('span', { class: 'by' }, (q.answer.leaderName || '领导') + (q.answer.onAir ? ' · 直播中答复' : ' · 答复')), q.answer.text) : null);
      ol.appendChild(li);
    });
    $('#feed-empty').hidden = list.length + mine.length > 0;
    if (focusId) {
      var b = ol.querySelector('[data-qid="' + focusId + '"]');
      if (b) b.focus();
    }
  }

  var ERR = {
    rate_limited: '提问太频繁了，请稍等片刻再提问。',
    bad_request: '问题内容不符合要求，请检查后再试。',
    forbidden: '暂时不能进行此操作。',
    not_found: '本场直播不存在或已结束。',
    conflict: '本场直播当前不接受提问。',
    unauthorized: '请刷新页面后再试。',
  };
  function errText(e) {
    if (!e) return '网络不佳，请稍后再试。';
    return (e.code && ERR[e.code] && e.code !== 'bad_request' ? ERR[e.code] : e.message) || ERR[e.code] || '操作失败，请稍后再试。';
  }

  function upvote(id) {
    if (state.votes[id] || !state.live || !state.live.connected) return;
    state.live.timeout(8000).emit('question:upvote', { questionId: id }, function (err, res) {
      if (!err && res && res.ok) {
        state.votes[id] = true; save('hub.votes', state.votes);
        if (state.questions[id] && typeof res.upvotes === 'number') state.questions[id].upvotes = res.upvotes;
        renderFeed();
      } else if (res && res.error && res.error.code === 'conflict') {
        state.votes[id] = true; save('hub.votes', state.votes); renderFeed();
      } else H.toast(errText(res && res.error), 'error');
    });
  }

  var text = $('#ask-text'), count = $('#ask-count'), askErr = $('#ask-err');
  text.addEventListener('input', function () {
    var n = Array.from(text.value).length;
    count.textContent = n + ' / 300';
    if (n > 0) { askErr.textContent = ''; text.removeAttribute('aria-invalid'); }
  });
  $('#ask').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var s = state.session, body = text.value.trim(), nick = $('#ask-nick').value.trim();
    if (!body) { askErr.textContent = '请先填写问题。'; text.setAttribute('aria-invalid', 'true'); text.focus(); return; }
    if (Array.from(body).length > 300) { askErr.textContent = '问题最多 300 个字。'; text.setAttribute('aria-invalid', 'true'); text.focus(); return; }
    if (!s || !state.live || !state.live.connected) { askErr.textContent = '暂时无法提问，请稍后再试。'; return; }
    var btn = $('#ask-btn');
    btn.disabled = true;
    var payload = { sessionId: s.id, text: body };
    if (nick) payload.nickname = nick;
    state.live.timeout(10000).emit('question:ask', payload, function (err, res) {
      btn.disabled = false;
      if (!err && res && res.ok) {
        state.mine.push({ id: res.questionId, sessionId: s.id, text: body, nickname: nick || null, at: new Date().toISOString() });
        save('hub.myQuestions', state.mine);
        text.value = ''; count.textContent = '0 / 300';
        H.toast('已提交，审核通过后将公开显示。', 'ok');
        renderFeed();
      } else {
        askErr.textContent = errText(res && res.error);
      }
    });
  });

  // ---------- window board and receipt lookup ----------
  var BOARD_LABELS = [
    ['accepted', '今日受理'], ['inProgress', '办理中'], ['completed', '今日办结'], ['overdue', '超期'],
  ];
  function pickNum(o, keys) {
    for (var i = 0; i < keys.length; i++) if (o && typeof o[keys[i]] === 'number') return o[keys[i]];
    return null;
  }
  var ALIASES = {
    accepted: ['accepted', 'acceptedToday', 'received'],
    inProgress: ['inProgress', 'in_progress', 'underReview', 'processing'],
    completed: ['completed', 'completedToday', 'done'],
    overdue: ['overdue'],
    avg: ['averageHandlingHours', 'avgHandlingHours', 'averageHours'],
  };
  function renderBoard(b) {
    var box = H.clear($('#board'));
    if (!b) { box.appendChild(h('p', { class: 'muted' }, '暂时无法获取办件数据。')); return; }
    var tot = b.totals || b.today || b;
    var tiles = h('div', { class: 'tiles' });
    BOARD_LABELS.forEach(function (pair) {
      var n = pickNum(tot, ALIASES[pair[0]]);
      tiles.appendChild(h('div', { class: 'tile' + (pair[0] === 'overdue' ? ' overdue' : '') }, h('span', { class: 'num' }, n === null ? '–' : String(n)), h('span', { class: 'small' }, pair[1])));
    });
    box.appendChild(tiles);
    var avg = pickNum(tot, ALIASES.avg);
    if (avg !== null) box.appendChild(h('p', { class: 'small muted' }, '平均办理用时 ' + (Math.round(avg * 10) / 10) + ' 小时'));
    var rows = b.departments || b.perDepartment || b.byDepartment || [];
    if (rows.length) {
      var tbody = h('tbody');
      rows.forEach(function (r) {
        var code = r.departmentCode || r.code;
        tbody.appendChild(h('tr', null, h('td', null, r.name || r.departmentName || H.depName(state.deps, code)),
          ['accepted', 'inProgress', 'completed', 'overdue'].map(function (k) { var n = pickNum(r, ALIASES[k]); return h('td', { class: 'num' }, n === null ? '–' : String(n)); })));
      });
      box.appendChild(h('div', { class: 'table-wrap' }, h('table', null,
        h('caption', { class: 'sr-only' }, '各部门今日办件'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, '部门'), h('th', { scope: 'col', class: 'num' }, '受理'), h('th', { scope: 'col', class: 'num' }, '办理中'), h('th', { scope: 'col', class: 'num' }, '办结'), h('th', { scope: 'col', class: 'num' }, '超期'))),
        tbody)));
    }
    box.appendChild(h('p', { class: 'small muted' }, '更新于 ' + H.fmtTime(new Date())));
  }
  function loadBoard() {
    H.api('/api/window/board', { auth: false }).then(renderBoard).catch(function () { renderBoard(null); });
  }

  function connectWindow() {
    if (typeof window.io !== 'function') { setInterval(loadBoard, 30000); return; }
    var sock = window.io('/window', { auth: { viewerKey: state.key }, transports: ['websocket', 'polling'] });
    state.win = sock;
    sock.on('connect', function () {
      down.win = false; updateBanner();
      if (state.watch) watch();
      loadBoard();
    });
    sock.on('disconnect', function (reason) {
      down.win = true; updateBanner();
      if (reason === 'io server disconnect') sock.connect();
    });
    sock.on('connect_error', function () { down.win = true; updateBanner(); });
    sock.on('board:update', function (b) { renderBoard(b); });
    sock.on('application:status', function (m) {
      if (!state.lookup || !state.watch || m.receiptNo !== state.watch.receiptNo) return;
      state.lookup.status = m.status;
      (state.lookup.history = state.lookup.history || []).push({ status: m.status, at: m.at, note: m.note });
      renderLookup();
      H.toast('办件状态更新：' + (H.APP_STATUS[m.status] || m.status), 'ok');
    });
  }

  function watch() {
    var sock = state.win;
    if (!sock || !sock.connected || !state.watch) return;
    sock.timeout(8000).emit('application:watch', state.watch, function (err, res) {
      if (!err && res && res.ok && state.lookup) {
        var st = res.status || (res.application && res.application.status);
        if (st && st !== state.lookup.status) { state.lookup.status = st; renderLookup(); }
      }
    });
  }

  function renderLookup() {
    var a = state.lookup, box = H.clear($('#lookup-result'));
    if (!a) return;
    box.appendChild(h('div', { class: 'card', style: 'background:#f7f9fc;margin-top:.75rem' },
      h('p', null, '受理编号 ', h('strong', null, a.receiptNo)),
      a.matter ? h('p', null, '事项：', a.matter) : null,
      h('p', null, '当前状态：', h('span', { class: 'status-big', id: 'lookup-status' }, H.APP_STATUS[a.status] || a.status), a.overdue ? h('span', { class: 'badge pending', style: 'margin-left:.5rem' }, '已超期') : null),
      h('dl', { class: 'meta' },
        a.departmentCode ? [h('dt', null, '承办部门'), h('dd', null, H.depName(state.deps, a.departmentCode))] : null,
        a.acceptedAt ? [h('dt', null, '受理时间'), h('dd', null, H.fmtShort(a.acceptedAt))] : null,
        a.dueAt ? [h('dt', null, '承诺办结'), h('dd', null, H.fmtShort(a.dueAt))] : null,
        a.completedAt ? [h('dt', null, '办结时间'), h('dd', null, H.fmtShort(a.completedAt))] : null),
      (a.history && a.history.length) ? h('ol', { class: 'timeline', 'aria-label': '办理过程' }, a.history.map(function (x) {
        return h('li', null, H.fmtShort(x.at) + ' ' + (H.APP_STATUS[x.status || x.toStatus] || x.status || x.toStatus || ''), x.note ? '（' + x.note + '）' : '');
      })) : null,
      h('p', { class: 'small muted' }, '状态变化会自动显示在这里，无需刷新。')));
  }

  $('#lookup').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var r = $('#lk-receipt').value.trim(), c = $('#lk-code').value.trim(), err = $('#lk-err');
    err.textContent = '';
    $('#lk-receipt').removeAttribute('aria-invalid'); $('#lk-code').removeAttribute('aria-invalid');
    if (!r) { err.textContent = '请填写受理编号。'; $('#lk-receipt').setAttribute('aria-invalid', 'true'); $('#lk-receipt').focus(); return; }
    if (!/^\d{6}$/.test(c)) { err.textContent = '查询码是 6 位数字。'; $('#lk-code').setAttribute('aria-invalid', 'true'); $('#lk-code').focus(); return; }
    H.api('/api/window/applications/' + encodeURIComponent(r) + '?code=' + encodeURIComponent(c), { auth: false }).then(function (a) {
      state.lookup = Object.assign({ receiptNo: r }, a.application || a);
      if (a.history && !state.lookup.history) state.lookup.history = a.history;
      state.watch = { receiptNo: r, code: c };
      renderLookup();
      watch();
    }).catch(function (e) {
      state.lookup = null; state.watch = null; renderLookup();
      err.textContent = e.status === 404 ? '没有找到该办件：请核对受理编号和查询码。' : e.status === 429 ? '查询码错误次数过多，请 15 分钟后再试。' : '查询失败，请稍后再试。';
    });
  });

  // ---------- start ----------
  updateBanner();
  H.departments().then(function (d) { state.deps = d; if (state.session) renderSession(); });
  connectLive();
  connectWindow();
  loadSessions();
  loadBoard();
  setInterval(loadSessions, 60000);
})();
