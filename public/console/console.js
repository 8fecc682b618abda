/* Staff console: login, then the tabs of the user's role. Keyboard first; user text only through textContent. */
(function () {
  'use strict';
  var H = window.Hub, h = H.h, $ = H.$;
  var SS = window.sessionStorage;
  var me = null;
  try { me = JSON.parse(SS.getItem('hub.user') || 'null'); } catch (e) { me = null; }
  var deps = [], streets = [], units = [];
  var cleanup = [];
  var current = null;

  // ---------- quarters (Beijing time) ----------
  function quarterOf(d) {
    var l = H.local(d);
    return l.y + 'Q' + (Math.floor((l.m - 1) / 3) + 1);
  }
  function prevQuarter(q) {
    var y = +q.slice(0, 4), n = +q.slice(5);
    return n === 1 ? (y - 1) + 'Q4' : y + 'Q' + (n - 1);
  }
  function nextQuarter(q) {
    var y = +q.slice(0, 4), n = +q.slice(5);
    return n === 4 ? (y + 1) + 'Q1' : y + 'Q' + (n + 1);
  }
  function recentQuarters(n) {
    var q = quarterOf(new Date()), out = [q];
    while (out.length < n) out.push(q = prevQuarter(q));
    return out;
  }
  var pct = function (x) { return x === null || x === undefined ? '—' : (Math.round(x * 1000) / 10) + '%'; };

  // ---------- small form helpers ----------
  var uid = 0;
  /** A labelled field: returns {wrap, input, error}. */
  function field(label, input, hint) {
    var id = input.id || ('f' + (++uid));
    input.id = id;
    var err = h('div', { class: 'error-text', id: id + '-err', 'aria-live': 'polite' });
    var hintEl = hint ? h('div', { class: 'hint', id: id + '-hint' }, hint) : null;
    input.setAttribute('aria-describedby', (hintEl ? id + '-hint ' : '') + id + '-err');
    return { wrap: h('div', null, h('label', { for: id }, label), input, hintEl, err), input: input, error: err };
  }
  function select(options, attrs) {
    var s = h('select', attrs || null);
    options.forEach(function (o) { s.appendChild(h('option', { value: o[0] }, o[1])); });
    return s;
  }
  function setError(f, msg) {
    f.error.textContent = msg || '';
    if (msg) f.input.setAttribute('aria-invalid', 'true');
    else f.input.removeAttribute('aria-invalid');
  }
  function errMsg(e) { return (e && e.message) || '操作失败'; }

  // ---------- live socket (staff) ----------
  var liveSock = null;
  function live() {
    if (liveSock || typeof window.io !== 'function') return liveSock;
    liveSock = window.io('/live', { auth: { token: H.token() }, transports: ['websocket', 'polling'] });
    liveSock.on('connect', function () { $('#offline').hidden = true; });
    liveSock.on('disconnect', function (reason) { $('#offline').hidden = false; if (reason === 'io server disconnect') liveSock.connect(); });
    liveSock.on('connect_error', function () { $('#offline').hidden = false; });
    return liveSock;
  }
  function emit(sock, ev, payload) {
    return new Promise(function (resolve, reject) {
      if (!sock) return reject(new Error('实时服务不可用'));
      sock.timeout(10000).emit(ev, payload, function (err, res) {
        if (err) return reject(new Error('服务器无响应，请重试'));
        if (!res || !res.ok) return reject(new Error((res && res.error && res.error.message) || '操作失败'));
        resolve(res);
      });
    });
  }
  function sessionsAround() {
    var now = Date.now();
    return H.api('/api/livestream/sessions?from=' + encodeURIComponent(new Date(now - 14 * 86400000).toISOString()) + '&to=' + encodeURIComponent(new Date(now + 60 * 86400000).toISOString()) + '&pageSize=200')
      .then(function (r) {
        var list = H.items(r).filter(function (s) { return s.status !== 'cancelled'; });
        list.sort(function (a, b) { return (a.status === 'live' ? -1 : 0) - (b.status === 'live' ? -1 : 0) || new Date(a.startsAt) - new Date(b.startsAt); });
        return list;
      });
  }

  /** A live Q&A room for staff: joins a session, keeps pending and approved questions, calls render on change. */
  function liveRoom(render) {
    var room = { sessionId: null, pending: [], approved: {}, highlighted: null, seq: 0 };
    var sock = live();
    function join(id) {
      room.sessionId = id; room.pending = []; room.approved = {}; room.highlighted = null;
      render();
      if (!sock) return;
      var seq = ++room.seq;
      emit(sock, 'session:join', { sessionId: id }).then(function (res) {
        if (seq !== room.seq) return; // a newer join (reconnect, other session) wins
        room.pending = []; room.approved = {};
        (res.questions || []).forEach(function (q) {
          if (q.status === 'pending') room.pending.push(q);
          else if (q.status === 'approved' || !q.status) room.approved[q.id] = q;
          if (q.highlighted) room.highlighted = q.id;
        });
        render();
      }).catch(function (e) { H.toast(errMsg(e), 'error'); });
    }
    var handlers = {
      'question:pending': function (m) { var q = m.question || m; if (q.sessionId === room.sessionId && !room.pending.some(function (x) { return x.id === q.id; })) { room.pending.push(q); render(); } },
      'question:approved': function (m) { var q = m.question; if (q.sessionId !== room.sessionId) return; room.pending = room.pending.filter(function (x) { return x.id !== q.id; }); room.approved[q.id] = q; render(); },
      'question:upvoted': function (m) { var q = room.approved[m.questionId]; if (q) { q.upvotes = m.upvotes; render(); } },
      'question:answered': function (m) { var q = room.approved[m.questionId]; if (q) { q.answer = m.answer; render(); } },
      'question:highlighted': function (m) { room.highlighted = m.questionId; render(); },
      'question:rejected': function (m) { room.pending = room.pending.filter(function (x) { return x.id !== (m.questionId || (m.question && m.question.id)); }); render(); },
    };
    if (sock) {
      Object.keys(handlers).forEach(function (k) { sock.on(k, handlers[k]); });
      var rejoin = function () { if (room.sessionId) join(room.sessionId); };
      sock.on('connect', rejoin);
      cleanup.push(function () {
        Object.keys(handlers).forEach(function (k) { sock.off(k, handlers[k]); });
        sock.off('connect', rejoin);
      });
    }
    room.join = join;
    room.sock = sock;
    room.sorted = function () {
      return Object.keys(room.approved).map(function (k) { return room.approved[k]; }).sort(function (a, b) { return b.upvotes - a.upvotes || a.id - b.id; });
    };
    return room;
  }

  function sessionPicker(onPick) {
    var sel = h('select', { id: 'session-pick' });
    var f = field('直播场次', sel);
    sessionsAround().then(function (list) {
      H.clear(sel);
      if (!list.length) sel.appendChild(h('option', { value: '' }, '暂无场次'));
      list.forEach(function (s) { sel.appendChild(h('option', { value: s.id }, (H.SESSION_STATUS[s.status] || s.status) + ' · ' + H.fmtDateTime(s.startsAt) + ' · ' + s.title)); });
      if (list.length) onPick(+sel.value);
    }).catch(function (e) { H.toast(errMsg(e), 'error'); });
    sel.addEventListener('change', function () { if (sel.value) onPick(+sel.value); });
    return f.wrap;
  }

  // ---------- views ----------
  var PHONE_RE = /^(?:1[3-9]\d{9}|(?:0\d{2,3})?[2-9]\d{6,7})$/;

  function viewCall(panel) {
    var phone = field('来电号码 *', h('input', { type: 'tel', id: 'call-phone', inputmode: 'tel', autocomplete: 'off', required: true, maxlength: 20 }), '11 位手机号或固定电话');
    var name = field('来电人称呼', h('input', { type: 'text', id: 'call-name', maxlength: 64, autocomplete: 'off' }), '例如 王女士（对外显示时会打码）');
    var channel = field('来源渠道', select(Object.keys(H.CHANNEL).map(function (k) { return [k, H.CHANNEL[k]]; }), { id: 'call-channel' }));
    var street = field('所属街道', select([['', '（未知）']].concat(streets.map(function (s) { return [s.shortName || s.name, s.name]; })), { id: 'call-street' }));
    var community = field('社区', h('input', { type: 'text', id: 'call-community', maxlength: 64, autocomplete: 'off' }));
    var address = field('地址', h('input', { type: 'text', id: 'call-address', maxlength: 255, autocomplete: 'off' }));
    var content = field('诉求内容 *', h('textarea', { id: 'call-content', required: true, maxlength: 2000, rows: 5 }), '5–2000 字；输入时自动给出派单建议');
    var dep = field('承办部门', select([['', '（暂不派单）']].concat(deps.map(function (d) { return [d.code, d.name]; })), { id: 'call-dep' }), 'Alt+1/2/3 采用建议的第 1/2/3 个部门');
    var counter = h('div', { class: 'counter', id: 'call-count' }, '0 / 2000');
    var sugg = h('div', { id: 'suggest', 'aria-live': 'polite', class: 'small' });
    var result = h('div', { id: 'call-result', role: 'status', 'aria-live': 'polite' });
    var touched = {};
    var rules = {
      'call-phone': function () { var v = phone.input.value.replace(/[\s-]/g, ''); return !v ? '请填写来电号码' : PHONE_RE.test(v) ? '' : '号码格式不对：11 位手机号或固定电话'; },
      'call-content': function () { var n = content.input.value.trim().length; return n === 0 ? '请填写诉求内容' : n < 5 ? '诉求内容至少 5 个字（现在 ' + n + ' 个）' : n > 2000 ? '诉求内容最多 2000 字' : ''; },
    };
    var byId = { 'call-phone': phone, 'call-content': content };
    function check(id) { var m = rules[id](); setError(byId[id], touched[id] ? m : ''); return !m; }
    [phone, content].forEach(function (f) {
      f.input.addEventListener('input', function () { touched[f.input.id] = touched[f.input.id] || f.input.value.length > 0; check(f.input.id); });
      f.input.addEventListener('blur', function () { touched[f.input.id] = true; check(f.input.id); });
    });
    var lastSuggest = [];
    var suggest = H.debounce(function () {
      var text = content.input.value.trim();
      if (text.length < 5) { H.clear(sugg); lastSuggest = []; return; }
      H.api('/api/tickets/suggest', { method: 'POST', body: { content: text } }).then(function (r) {
        H.clear(sugg);
        lastSuggest = (r.departments || []).slice(0, 3);
        if (!lastSuggest.length && !(r.topics || []).length) { sugg.appendChild(h('p', { class: 'muted' }, '暂无派单建议')); return; }
        sugg.appendChild(h('div', null, '建议派往：'));
        var chips = h('div', { class: 'chips' });
        lastSuggest.forEach(function (d, i) {
          chips.appendChild(h('button', { type: 'button', class: 'chip', 'aria-pressed': dep.input.value === d.code ? 'true' : 'false', onclick: function () { pickDep(i); } },
            (i + 1) + '. ' + (d.name || H.depName(deps, d.code)) + ' ' + Math.round((d.confidence || 0) * 100) + '%'));
        });
        sugg.appendChild(chips);
        if ((r.topics || []).length) sugg.appendChild(h('p', { class: 'muted' }, '可能的话题：' + r.topics.slice(0, 3).map(function (t) { return t.label; }).join('、')));
      }).catch(function () { H.clear(sugg); });
    }, 350);
    function pickDep(i) {
      var d = lastSuggest[i];
      if (!d) return;
      dep.input.value = d.code;
      Array.prototype.forEach.call(sugg.querySelectorAll('.chip'), function (c, j) { c.setAttribute('aria-pressed', j === i ? 'true' : 'false'); });
      H.toast('承办部门：' + (d.name || d.code));
    }
    content.input.addEventListener('input', function () { counter.textContent = content.input.value.trim().length + ' / 2000'; suggest(); });
    var submit = h('button', { type: 'submit', id: 'call-submit' }, '登记工单（Ctrl+Enter）');
    var form = h('form', { id: 'call-form', novalidate: true, class: 'form-grid' },
      phone.wrap, name.wrap, channel.wrap, street.wrap, community.wrap, address.wrap,
      h('div', { class: 'full' }, content.wrap, counter, sugg), dep.wrap,
      h('div', { class: 'full row', style: 'margin-top:.75rem' }, submit, h('button', { type: 'reset', class: 'plain' }, '清空')));
    form.addEventListener('keydown', function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === 'Enter') { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit.click(); }
      if (ev.altKey && /^[1-3]$/.test(ev.key)) { ev.preventDefault(); pickDep(+ev.key - 1); }
    });
    form.addEventListener('reset', function () { setTimeout(function () { touched = {}; setError(phone, ''); setError(content, ''); H.clear(sugg); counter.textContent = '0 / 2000'; phone.input.focus(); }); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      touched['call-phone'] = touched['call-content'] = true;
      var okP = check('call-phone'), okC = check('call-content');
      if (!okP) { phone.input.focus(); return; }
      if (!okC) { content.input.focus(); return; }
      var body = { callerPhone: phone.input.value.replace(/[\s-]/g, ''), content: content.input.value.trim(), channel: channel.input.value };
      if (name.input.value.trim()) body.callerName = name.input.value.trim();
      if (street.input.value) body.street = street.input.value;
      if (community.input.value.trim()) body.community = community.input.value.trim();
      if (address.input.value.trim()) body.address = address.input.value.trim();
      if (dep.input.value) body.departmentCode = dep.input.value;
      submit.disabled = true;
      H.api('/api/tickets', { method: 'POST', body: body }).then(function (t) {
        H.clear(result).appendChild(h('p', { class: 'status-big' }, '已登记工单 ' + (t.ticketNo || '')));
        H.toast('已登记工单 ' + (t.ticketNo || ''), 'ok');
        form.reset();
      }).catch(function (e) {
        H.clear(result).appendChild(h('p', { class: 'error-text', role: 'alert' }, '登记失败：' + errMsg(e)));
      }).then(function () { submit.disabled = false; });
    });
    panel.appendChild(h('section', { class: 'card', 'aria-labelledby': 'call-h' },
      h('h2', { id: 'call-h' }, '登记来电'),
      h('p', { class: 'small muted' }, '全程可用键盘：Tab 切换字段，Alt+1/2/3 采用派单建议，Ctrl+Enter 提交。'),
      form, result));
    phone.input.focus();
  }

  function viewImport(panel) {
    var file = field('工单文件', h('input', { type: 'file', id: 'import-file', accept: '.csv,.ndjson,.jsonl,text/csv,application/x-ndjson' }), 'CSV（首行为字段名）或 NDJSON（每行一个 JSON），最多 100 万行');
    var bar = h('progress', { class: 'progress', id: 'import-progress', max: 100, value: 0, 'aria-label': '上传进度' });
    var pctText = h('div', { class: 'small', id: 'import-pct', 'aria-live': 'polite' }, '');
    var out = h('div', { id: 'import-result', 'aria-live': 'polite' });
    var btn = h('button', { type: 'submit' }, '开始导入');
    var form = h('form', { novalidate: true }, file.wrap, h('div', { style: 'margin:.75rem 0' }, btn), bar, pctText, out);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = file.input.files && file.input.files[0];
      if (!f) { setError(file, '请选择文件'); file.input.focus(); return; }
      setError(file, '');
      var type = /\.(ndjson|jsonl|json)$/i.test(f.name) ? 'application/x-ndjson' : 'text/csv';
      var xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/tickets/import');
      xhr.setRequestHeader('Content-Type', type);
      xhr.setRequestHeader('Authorization', 'Bearer ' + H.token());
      xhr.setRequestHeader('Accept', 'application/json');
      var lastAnnounced = -10;
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        var p = Math.round((e.loaded / e.total) * 100);
        bar.value = p;
        if (p - lastAnnounced >= 10 || p === 100) { pctText.textContent = '已上传 ' + p + '%' + (p === 100 ? '，服务器正在处理…' : ''); lastAnnounced = p; }
      };
      xhr.onload = function () {
        btn.disabled = false;
        var r = null;
        try { r = JSON.parse(xhr.responseText); } catch (e2) { r = null; }
        H.clear(out);
        if (xhr.status >= 200 && xhr.status < 300 && r) {
          bar.value = 100;
          pctText.textContent = '导入完成';
          out.appendChild(h('div', { class: 'tiles', style: 'margin-top:.5rem' },
            [['received', '收到'], ['inserted', '新增'], ['duplicates', '重复'], ['rejected', '有误']].map(function (p) {
              return h('div', { class: 'tile' }, h('span', { class: 'num' }, String(r[p[0]] == null ? '–' : r[p[0]])), h('span', { class: 'small' }, p[1]));
            })));
          out.appendChild(h('p', { class: 'small muted' }, '用时 ' + ((r.durationMs || 0) / 1000).toFixed(1) + ' 秒'));
          if (r.errors && r.errors.length) {
            out.appendChild(h('div', { class: 'table-wrap' }, h('table', null, h('caption', null, '有误的行（前 100 条）'),
              h('thead', null, h('tr', null, h('th', { scope: 'col' }, '行号'), h('th', { scope: 'col' }, '原因'))),
              h('tbody', null, r.errors.map(function (x) { return h('tr', null, h('td', null, String(x.line)), h('td', null, String(x.message))); })))));
          }
        } else {
          pctText.textContent = '';
          out.appendChild(h('p', { class: 'error-text', role: 'alert' }, '导入失败：' + ((r && (Array.isArray(r.message) ? r.message.join('；') : r.message)) || ('HTTP ' + xhr.status))));
        }
      };
      xhr.onerror = function () { btn.disabled = false; H.clear(out).appendChild(h('p', { class: 'error-text', role: 'alert' }, '网络错误，导入未完成')); };
      btn.disabled = true;
      bar.value = 0;
      pctText.textContent = '开始上传…';
      xhr.send(f);
    });
    panel.appendChild(h('section', { class: 'card', 'aria-labelledby': 'imp-h' }, h('h2', { id: 'imp-h' }, '导入工单'), form));
  }

  function viewTickets(panel) {
    var quarter = field('季度', select([['', '全部']].concat(recentQuarters(6).map(function (q) { return [q, q]; })), { id: 'tf-quarter' }));
    var street = field('街道', select([['', '全部']].concat(streets.map(function (s) { return [s.shortName || s.name, s.name]; })), { id: 'tf-street' }));
    var dep = field('承办部门', select([['', '全部']].concat(deps.map(function (d) { return [d.code, d.name]; })), { id: 'tf-dep' }));
    var status = field('状态', select([['', '全部']].concat(Object.keys(H.TICKET_STATUS).map(function (k) { return [k, H.TICKET_STATUS[k]]; })), { id: 'tf-status' }));
    var topic = field('话题', h('input', { type: 'text', id: 'tf-topic', placeholder: '如 heating', autocomplete: 'off' }));
    var q = field('关键词', h('input', { type: 'search', id: 'tf-q', autocomplete: 'off' }));
    var page = 1, pageSize = 50;
    var info = h('p', { class: 'small muted', 'aria-live': 'polite', id: 'tickets-info' });
    var tbody = h('tbody');
    var prev = h('button', { type: 'button', class: 'plain' }, '上一页'), next = h('button', { type: 'button', class: 'plain' }, '下一页');
    function load() {
      var qs = ['page=' + page, 'pageSize=' + pageSize];
      [['quarter', quarter], ['street', street], ['departmentCode', dep], ['status', status], ['topic', topic], ['q', q]].forEach(function (p) {
        var v = p[1].input.value.trim(); if (v) qs.push(p[0] + '=' + encodeURIComponent(v));
      });
      info.textContent = '正在加载…';
      H.api('/api/tickets?' + qs.join('&')).then(function (r) {
        H.clear(tbody);
        H.items(r).forEach(function (t) {
          tbody.appendChild(h('tr', null,
            h('td', null, t.ticketNo), h('td', null, H.fmtShort(t.receivedAt)), h('td', null, t.street || ''),
            h('td', { style: 'max-width:28rem' }, t.content), h('td', null, H.depName(deps, t.departmentCode)),
            h('td', null, H.TICKET_STATUS[t.status] || t.status), h('td', null, t.callerPhone || '')));
        });
        var pages = Math.max(1, Math.ceil((r.total || 0) / pageSize));
        info.textContent = '共 ' + (r.total || 0) + ' 件，第 ' + page + ' / ' + pages + ' 页';
        prev.disabled = page <= 1; next.disabled = page >= pages;
      }).catch(function (e) { info.textContent = '加载失败：' + errMsg(e); });
    }
    prev.addEventListener('click', function () { if (page > 1) { page--; load(); } });
    next.addEventListener('click', function () { page++; load(); });
    var form = h('form', { novalidate: true, class: 'form-grid' }, quarter.wrap, street.wrap, dep.wrap, status.wrap, topic.wrap, q.wrap,
      h('div', { class: 'full', style: 'margin-top:.5rem' }, h('button', { type: 'submit' }, '查询')));
    form.addEventListener('submit', function (ev) { ev.preventDefault(); page = 1; load(); });
    panel.appendChild(h('section', { class: 'card', 'aria-labelledby': 'tl-h' }, h('h2', { id: 'tl-h' }, '工单列表'), form, info,
      h('div', { class: 'table-wrap' }, h('table', null, h('caption', { class: 'sr-only' }, '工单（个人信息已打码）'),
        h('thead', null, h('tr', null, ['工单号', '受理时间', '街道', '诉求', '承办部门', '状态', '来电'].map(function (x) { return h('th', { scope: 'col' }, x); }))), tbody)),
      h('div', { class: 'row', style: 'margin-top:.5rem' }, prev, next)));
    load();
  }

  function viewModerate(panel) {
    var cur = 0;
    var queue = h('ol', { class: 'qa-list', id: 'queue', tabindex: '0', 'aria-label': '待审核问题（A 通过，R 驳回，J/K 上下移动）' });
    var approvedList = h('ol', { class: 'qa-list', id: 'approved' });
    var count = h('span', { id: 'pending-count', 'aria-live': 'polite' });
    var room = liveRoom(render);
    function decide(q, decision) {
      emit(room.sock, 'question:moderate', { questionId: q.id, decision: decision }).then(function () {
        room.pending = room.pending.filter(function (x) { return x.id !== q.id; });
        if (decision === 'approve') room.approved[q.id] = room.approved[q.id] || Object.assign({}, q, { status: 'approved' });
        H.toast(decision === 'approve' ? '已通过' : '已驳回', 'ok');
        render();
        queue.focus();
      }).catch(function (e) { H.toast(errMsg(e), 'error'); });
    }
    function render() {
      H.clear(queue);
      if (cur >= room.pending.length) cur = Math.max(0, room.pending.length - 1);
      count.textContent = '（' + room.pending.length + '）';
      if (!room.pending.length) queue.appendChild(h('li', { class: 'muted' }, '没有待审核的问题。'));
      room.pending.forEach(function (q, i) {
        queue.appendChild(h('li', { class: 'queue-item', 'aria-current': i === cur ? 'true' : null, 'data-qid': q.id },
          h('div', { class: 'small muted' }, (q.nickname || '网友') + ' · ' + H.fmtTime(q.createdAt)),
          h('p', { class: 'text', style: 'white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0' }, q.text),
          h('div', { class: 'row' },
            h('button', { type: 'button', 'aria-label': '通过：' + q.text.slice(0, 30), onclick: function () { decide(q, 'approve'); } }, '通过 (A)'),
            h('button', { type: 'button', class: 'secondary', 'aria-label': '驳回：' + q.text.slice(0, 30), onclick: function () { decide(q, 'reject'); } }, '驳回 (R)'))));
      });
      H.clear(approvedList);
      if (!room.sorted().length) approvedList.appendChild(h('li', { class: 'muted' }, '还没有公开的问题。'));
      room.sorted().forEach(function (q) {
        var hl = q.id === room.highlighted;
        approvedList.appendChild(h('li', { class: 'q' + (hl ? ' highlighted' : '') },
          h('div', { class: 'who' }, (q.nickname || '网友') + ' · ▲ ' + q.upvotes),
          h('p', { class: 'text' }, q.text),
          q.answer ? h('div', { class: 'answer' }, h('span', { class: 'by' }, q.answer.leaderName || '答复'), q.answer.text) : null,
          hl ? null : h('button', { type: 'button', class: 'plain', 'aria-label': '设为正在回答：' + q.text.slice(0, 30), onclick: function () { emit(room.sock, 'question:highlight', { questionId: q.id }).catch(function (e) { H.toast(errMsg(e), 'error'); }); } }, '设为正在回答')));
      });
    }
    function onKey(ev) {
      if (current !== 'moderate') return;
      var tag = (ev.target.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'textarea' || tag === 'select' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var q = room.pending[cur];
      var k = ev.key.toLowerCase();
      if (k === 'a' && q) { ev.preventDefault(); decide(q, 'approve'); }
      else if (k === 'r' && q) { ev.preventDefault(); decide(q, 'reject'); }
      else if ((k === 'j' || k === 'arrowdown') && cur < room.pending.length - 1) { ev.preventDefault(); cur++; render(); }
      else if ((k === 'k' || k === 'arrowup') && cur > 0) { ev.preventDefault(); cur--; render(); }
    }
    document.addEventListener('keydown', onKey);
    cleanup.push(function () { document.removeEventListener('keydown', onKey); });
    panel.appendChild(h('div', { class: 'grid two' },
      h('section', { class: 'card', 'aria-labelledby': 'mod-h' },
        h('h2', { id: 'mod-h' }, '待审核问题', count),
        sessionPicker(function (id) { room.join(id); }),
        h('p', { class: 'small muted' }, '键盘：', h('kbd', null, 'A'), ' 通过，', h('kbd', null, 'R'), ' 驳回，', h('kbd', null, 'J'), '/', h('kbd', null, 'K'), ' 或方向键上下移动。'),
        queue),
      h('section', { class: 'card', 'aria-labelledby': 'appr-h' }, h('h2', { id: 'appr-h' }, '已公开（按票数）'), approvedList)));
    render();
  }

  function viewAnswer(panel) {
    var list = h('ol', { class: 'qa-list', id: 'answer-list' });
    var room = liveRoom(render);
    var drafts = {};
    function render() {
      var active = document.activeElement, keepId = active && active.id;
      H.clear(list);
      var qs = room.sorted();
      if (!qs.length) list.appendChild(h('li', { class: 'muted' }, '还没有审核通过的问题。'));
      qs.forEach(function (q) {
        var hl = q.id === room.highlighted;
        var ta = h('textarea', { id: 'ans-' + q.id, rows: 3, maxlength: 2000 });
        ta.value = drafts[q.id] || '';
        ta.addEventListener('input', function () { drafts[q.id] = ta.value; });
        var onAir = h('input', { type: 'checkbox', id: 'air-' + q.id, checked: true });
        var form = h('form', { novalidate: true },
          h('label', { for: 'ans-' + q.id }, q.answer ? '修改答复' : '答复'), ta,
          h('div', { class: 'row' }, onAir, h('label', { for: 'air-' + q.id, style: 'display:inline;font-weight:500;margin:0' }, '直播中口头答复')),
          h('div', { class: 'row', style: 'margin-top:.4rem' }, h('button', { type: 'submit' }, '提交答复'),
            hl ? null : h('button', { type: 'button', class: 'plain', 'aria-label': '设为正在回答：' + q.text.slice(0, 30), onclick: function () { emit(room.sock, 'question:highlight', { questionId: q.id }).catch(function (e) { H.toast(errMsg(e), 'error'); }); } }, '设为正在回答')));
        form.addEventListener('submit', function (ev) {
          ev.preventDefault();
          var text = ta.value.trim();
          if (!text) { H.toast('请填写答复内容', 'error'); ta.focus(); return; }
          emit(room.sock, 'question:answer', { questionId: q.id, text: text, onAir: onAir.checked }).then(function (res) {
            if (res.answer) q.answer = res.answer;
            delete drafts[q.id];
            H.toast('已答复', 'ok');
            render();
          }).catch(function (e) { H.toast(errMsg(e), 'error'); });
        });
        list.appendChild(h('li', { class: 'q' + (hl ? ' highlighted' : '') },
          h('div', { class: 'who' }, (q.nickname || '网友') + ' · ▲ ' + q.upvotes + ' 票'),
          h('p', { class: 'text' }, q.text),
          q.answer ? h('div', { class: 'answer' }, h('span', { class: 'by' }, (q.answer.leaderName || '') + ' 已答复'), q.answer.text) : null,
          form));
      });
      if (keepId) { var el = document.getElementById(keepId); if (el) el.focus(); }
    }
    panel.appendChild(h('section', { class: 'card', 'aria-labelledby': 'ans-h' }, h('h2', { id: 'ans-h' }, '直播问答 · 按票数排序'),
      sessionPicker(function (id) { room.join(id); }), list));
    render();
  }

  var APP_NEXT = { accepted: ['under_review'], under_review: ['needs_supplement', 'completed', 'rejected'], needs_supplement: ['under_review'], completed: [], rejected: [] };
  function viewWindow(panel) {
    var matter = field('办理事项 *', h('input', { type: 'text', id: 'app-matter', maxlength: 200, required: true, autocomplete: 'off' }));
    var aname = field('申请人 *', h('input', { type: 'text', id: 'app-name', maxlength: 64, required: true, autocomplete: 'off' }));
    var aphone = field('联系电话 *', h('input', { type: 'tel', id: 'app-phone', maxlength: 20, required: true, autocomplete: 'off' }));
    var dep = field('承办部门 *', select(deps.map(function (d) { return [d.code, d.name]; }), { id: 'app-dep' }));
    dep.input.value = 'service_center';
    var days = field('承诺办结天数 *', h('input', { type: 'number', id: 'app-days', min: 1, max: 365, value: 5, required: true }));
    var created = h('div', { id: 'app-created', 'aria-live': 'assertive' });
    var mine = [];
    try { mine = JSON.parse(SS.getItem('hub.apps') || '[]'); } catch (e) { mine = []; }
    var tbody = h('tbody');
    function saveMine() { SS.setItem('hub.apps', JSON.stringify(mine)); }
    function move(a, status) {
      H.api('/api/window/applications/' + encodeURIComponent(a.receiptNo) + '/status', { method: 'PATCH', body: { status: status } }).then(function (r) {
        a.status = (r && r.status) || status; saveMine(); renderMine(); H.toast(a.receiptNo + '：' + (H.APP_STATUS[a.status] || a.status), 'ok');
      }).catch(function (e) { H.toast(errMsg(e), 'error'); });
    }
    function renderMine() {
      H.clear(tbody);
      if (!mine.length) tbody.appendChild(h('tr', null, h('td', { colspan: 4, class: 'muted' }, '本次登录还没有受理办件；也可以在下方按编号办理。')));
      mine.forEach(function (a) {
        tbody.appendChild(h('tr', null, h('td', null, a.receiptNo), h('td', null, a.matter), h('td', null, H.APP_STATUS[a.status] || a.status),
          h('td', null, h('div', { class: 'row' }, (APP_NEXT[a.status] || []).map(function (s) {
            return h('button', { type: 'button', class: 'plain', 'aria-label': a.receiptNo + ' 改为' + H.APP_STATUS[s], onclick: function () { move(a, s); } }, '→ ' + H.APP_STATUS[s]);
          })))));
      });
    }
    var form = h('form', { novalidate: true, class: 'form-grid' }, matter.wrap, aname.wrap, aphone.wrap, dep.wrap, days.wrap,
      h('div', { class: 'full', style: 'margin-top:.5rem' }, h('button', { type: 'submit' }, '受理')));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var bad = null;
      [[matter, '请填写办理事项'], [aname, '请填写申请人']].forEach(function (p) { var m = p[0].input.value.trim() ? '' : p[1]; setError(p[0], m); if (m && !bad) bad = p[0]; });
      var ph = aphone.input.value.replace(/[\s-]/g, '');
      setError(aphone, PHONE_RE.test(ph) ? '' : '请填写正确的电话号码'); if (!PHONE_RE.test(ph) && !bad) bad = aphone;
      var d = +days.input.value;
      setError(days, d >= 1 && d <= 365 ? '' : '1–365 天'); if (!(d >= 1 && d <= 365) && !bad) bad = days;
      if (bad) { bad.input.focus(); return; }
      H.api('/api/window/applications', { method: 'POST', body: { matter: matter.input.value.trim(), applicantName: aname.input.value.trim(), applicantPhone: ph, departmentCode: dep.input.value, promisedDays: d } }).then(function (r) {
        var a = r.application || r;
        H.clear(created).appendChild(h('div', { class: 'card', role: 'alert', style: 'background:#fff4d6;margin-top:.75rem' },
          h('p', null, '受理编号：', h('strong', { id: 'new-receipt' }, a.receiptNo)),
          h('p', null, '查询码：', h('strong', { id: 'new-code', class: 'status-big' }, String(r.queryCode || a.queryCode || ''))),
          h('p', { class: 'small' }, '查询码只显示这一次，请交给申请人（可在公众页面查询进度）。')));
        mine.unshift({ receiptNo: a.receiptNo, matter: a.matter, status: a.status });
        saveMine(); renderMine();
        form.reset(); dep.input.value = 'service_center'; days.input.value = 5;
      }).catch(function (e) { H.clear(created).appendChild(h('p', { class: 'error-text', role: 'alert' }, '受理失败：' + errMsg(e))); });
    });
    var rno = field('受理编号', h('input', { type: 'text', id: 'mv-receipt', autocomplete: 'off' }));
    var st = field('新状态', select(Object.keys(H.APP_STATUS).filter(function (k) { return k !== 'accepted'; }).map(function (k) { return [k, H.APP_STATUS[k]]; }), { id: 'mv-status' }));
    var note = field('备注', h('input', { type: 'text', id: 'mv-note', maxlength: 500, autocomplete: 'off' }));
    var mvOut = h('div', { 'aria-live': 'polite' });
    var mv = h('form', { novalidate: true, class: 'form-grid' }, rno.wrap, st.wrap, h('div', { class: 'full' }, note.wrap), h('div', { class: 'full', style: 'margin-top:.5rem' }, h('button', { type: 'submit' }, '更新状态')), h('div', { class: 'full' }, mvOut));
    mv.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!rno.input.value.trim()) { setError(rno, '请填写受理编号'); rno.input.focus(); return; }
      setError(rno, '');
      var body = { status: st.input.value };
      if (note.input.value.trim()) body.note = note.input.value.trim();
      H.api('/api/window/applications/' + encodeURIComponent(rno.input.value.trim()) + '/status', { method: 'PATCH', body: body }).then(function () {
        H.clear(mvOut).appendChild(h('p', { class: 'small' }, '已更新为 ' + H.APP_STATUS[body.status]));
        mine.forEach(function (a) { if (a.receiptNo === rno.input.value.trim()) a.status = body.status; }); saveMine(); renderMine();
      }).catch(function (e) { H.clear(mvOut).appendChild(h('p', { class: 'error-text', role: 'alert' }, errMsg(e))); });
    });
    panel.appendChild(h('div', { class: 'grid two' },
      h('section', { class: 'card', 'aria-labelledby': 'win-h' }, h('h2', { id: 'win-h' }, '窗口受理'), form, created),
      h('section', { class: 'card', 'aria-labelledby': 'win2-h' }, h('h2', { id: 'win2-h' }, '办件流转'),
        h('div', { class: 'table-wrap' }, h('table', null, h('caption', { class: 'sr-only' }, '本次登录受理的办件'),
          h('thead', null, h('tr', null, ['受理编号', '事项', '状态', '下一步'].map(function (x) { return h('th', { scope: 'col' }, x); }))), tbody)),
        h('h3', null, '按编号办理'), mv)));
    renderMine();
  }

  // ---------- admin: hot-topic report ----------
  var charts = [];
  function chartBox(id, label) {
    var div = h('div', { class: 'chart', id: id, role: 'img', 'aria-label': label });
    return div;
  }
  function viewReport(panel) {
    var qs = recentQuarters(6);
    var quarter = field('季度', select(qs.map(function (q) { return [q, q]; }), { id: 'rep-quarter' }));
    quarter.input.value = qs[1];
    var status = h('div', { id: 'rep-status', 'aria-live': 'polite' });
    var body = h('div', { id: 'rep-body' });
    var csvBtn = h('button', { type: 'button', class: 'secondary', id: 'rep-csv' }, '下载 CSV');
    var runBtn = h('button', { type: 'button', class: 'plain', id: 'rep-run' }, '重新生成报告');
    function disposeCharts() { charts.forEach(function (c) { c.dispose(); }); charts = []; }
    cleanup.push(disposeCharts);
    function load() {
      var q = quarter.input.value;
      disposeCharts(); H.clear(body);
      status.textContent = '正在加载 ' + q + ' 报告…';
      H.api('/api/topics/quarters/' + q).then(function (r) { status.textContent = ''; draw(r); }).catch(function (e) {
        status.textContent = e.status === 404 ? q + ' 的报告还没有生成，可点“重新生成报告”。' : '加载失败：' + errMsg(e);
      });
    }
    function draw(r) {
      var topics = (r.topics || []).slice();
      body.appendChild(h('p', { class: 'muted small' }, r.quarter + ' 共 ' + r.ticketCount + ' 件工单，' + topics.length + ' 个话题；生成于 ' + H.fmtShort(r.generatedAt)));
      var top = topics.slice(0, 15);
      var c1 = chartBox('chart-heat', '热度排名：' + top.slice(0, 5).map(function (t) { return t.label; }).join('、'));
      var c2 = chartBox('chart-growth', '与上季度相比的件数变化');
      var c3 = chartBox('chart-street', '各街道的主要话题');
      var c4 = chartBox('chart-scatter', '难度与热度');
      body.appendChild(h('div', { class: 'grid two' },
        h('section', { class: 'card' }, h('h3', null, '热度排名'), c1),
        h('section', { class: 'card' }, h('h3', null, '环比增长（与上季度比较）'), c2),
        h('section', { class: 'card' }, h('h3', null, '各街道话题分布'), c3),
        h('section', { class: 'card' }, h('h3', null, '难度 × 热度'), c4)));
      var tbody = h('tbody');
      topics.forEach(function (t, i) {
        tbody.appendChild(h('tr', null, h('td', { class: 'num' }, String(i + 1)), h('td', null, t.label + (t.kind === 'emerging' ? '（新兴）' : '')),
          h('td', { class: 'num' }, String(t.ticketCount)), h('td', { class: 'num' }, String(t.previousCount)), h('td', { class: 'num' }, pct(t.growth)),
          h('td', { class: 'num' }, (t.heatScore || 0).toFixed(2)), h('td', { class: 'num' }, (t.difficultyScore || 0).toFixed(2)),
          h('td', null, (t.topStreets || []).slice(0, 3).map(function (s) { return s.street + ' ' + s.count; }).join('、'))));
      });
      body.appendChild(h('section', { class: 'card', style: 'margin-top:.75rem' }, h('h3', null, '话题明细'),
        h('div', { class: 'table-wrap' }, h('table', { id: 'rep-table' }, h('caption', { class: 'sr-only' }, r.quarter + ' 热点话题'),
          h('thead', null, h('tr', null, ['#', '话题', '件数', '上季度', '环比', '热度', '难度', '主要街道'].map(function (x) { return h('th', { scope: 'col' }, x); }))), tbody))));
      if (!window.echarts) { status.textContent = '图表库未加载，仅显示表格。'; return; }
      var font = { fontSize: 13, color: '#1d1d1f' };
      var red = '#a8201a', blue = '#0b57a4';
      var rev = top.slice().reverse();
      var mk = function (el, opt) { var c = window.echarts.init(el, null, { renderer: 'canvas' }); c.setOption(opt); charts.push(c); };
      mk(c1, { textStyle: font, grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true }, tooltip: { trigger: 'axis' },
        xAxis: { type: 'value', name: '热度' }, yAxis: { type: 'category', data: rev.map(function (t) { return t.label; }) },
        series: [{ type: 'bar', data: rev.map(function (t) { return +(t.heatScore || 0).toFixed(3); }), itemStyle: { color: red }, label: { show: true, position: 'right', formatter: function (p) { return p.value.toFixed(2); } } }] });
      var g = top.slice().sort(function (a, b) { return (b.growth || 0) - (a.growth || 0); });
      mk(c2, { textStyle: font, legend: { data: ['上季度', '本季度'] }, grid: { left: 8, right: 10, top: 40, bottom: 10, containLabel: true }, tooltip: { trigger: 'axis', formatter: function (ps) { var t = g[ps[0].dataIndex]; return t.label + '<br>上季度 ' + t.previousCount + ' 件，本季度 ' + t.ticketCount + ' 件<br>环比 ' + pct(t.growth); } },
        xAxis: { type: 'category', data: g.map(function (t) { return t.label; }), axisLabel: { rotate: 40, interval: 0 } }, yAxis: { type: 'value', name: '件' },
        series: [{ name: '上季度', type: 'bar', data: g.map(function (t) { return t.previousCount; }), itemStyle: { color: '#8a8a90' } },
          { name: '本季度', type: 'bar', data: g.map(function (t) { return t.ticketCount; }), itemStyle: { color: red } }] });
      var streetNames = [];
      top.slice(0, 6).forEach(function (t) { (t.topStreets || []).forEach(function (s) { if (streetNames.indexOf(s.street) < 0) streetNames.push(s.street); }); });
      var palette = [red, blue, '#1c6b33', '#6b4a00', '#6a1b9a', '#00695c'];
      mk(c3, { textStyle: font, legend: { type: 'scroll', top: 0, left: 0, right: 0 }, tooltip: { trigger: 'axis' }, grid: { left: 8, right: 10, top: 48, bottom: 10, containLabel: true },
        xAxis: { type: 'category', data: streetNames, axisLabel: { rotate: 40, interval: 0 } }, yAxis: { type: 'value', name: '件' },
        series: top.slice(0, 6).map(function (t, i) {
          return { name: t.label, type: 'bar', stack: 'all', itemStyle: { color: palette[i] }, data: streetNames.map(function (s) { var x = (t.topStreets || []).filter(function (y) { return y.street === s; })[0]; return x ? x.count : 0; }) };
        }) });
      var maxN = Math.max.apply(null, topics.map(function (t) { return t.ticketCount; }).concat([1]));
      mk(c4, { textStyle: font, tooltip: { formatter: function (p) { return p.data[3] + '<br>热度 ' + p.data[0].toFixed(2) + '，难度 ' + p.data[1].toFixed(2) + '，' + p.data[2] + ' 件'; } },
        grid: { left: 8, right: 20, top: 20, bottom: 10, containLabel: true }, xAxis: { type: 'value', name: '热度', scale: true }, yAxis: { type: 'value', name: '难度', scale: true },
        series: [{ type: 'scatter', data: topics.map(function (t) { return [t.heatScore || 0, t.difficultyScore || 0, t.ticketCount, t.label]; }),
          symbolSize: function (d) { return 8 + 30 * Math.sqrt(d[2] / maxN); }, itemStyle: { color: blue, opacity: 0.75 },
          label: { show: true, position: 'top', formatter: function (p) { return p.dataIndex < 8 ? p.data[3] : ''; }, fontSize: 12, color: '#1d1d1f' }, labelLayout: { hideOverlap: true } }] });
    }
    csvBtn.addEventListener('click', function () {
      var q = quarter.input.value;
      fetch('/api/topics/quarters/' + q + '.csv', { headers: { Authorization: 'Bearer ' + H.token() } }).then(function (r) {
        if (!r.ok) throw new Error(r.status === 404 ? '该季度报告还没有生成' : 'HTTP ' + r.status);
        return r.blob();
      }).then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = h('a', { href: url, download: 'hot-topics-' + q + '.csv' });
        document.body.appendChild(a); a.click(); a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 5000);
      }).catch(function (e) { H.toast('下载失败：' + errMsg(e), 'error'); });
    });
    runBtn.addEventListener('click', function () {
      var q = quarter.input.value;
      runBtn.disabled = true; status.textContent = '正在生成 ' + q + ' 报告，请稍候…';
      H.api('/api/topics/quarters/' + q + '/run?wait=true', { method: 'POST' }).then(load).catch(function (e) { status.textContent = '生成失败：' + errMsg(e); }).then(function () { runBtn.disabled = false; });
    });
    quarter.input.addEventListener('change', load);
    function onResize() { charts.forEach(function (c) { c.resize(); }); }
    window.addEventListener('resize', onResize);
    cleanup.push(function () { window.removeEventListener('resize', onResize); });
    panel.appendChild(h('section', { class: 'card', 'aria-labelledby': 'rep-h' }, h('h2', { id: 'rep-h' }, '季度热点报告'),
      h('div', { class: 'row' }, h('div', { style: 'min-width:10rem' }, quarter.wrap), h('div', { class: 'row', style: 'align-self:flex-end' }, csvBtn, me.role === 'admin' ? runBtn : null)), status));
    panel.appendChild(body);
    load();
  }

  function viewProposals(panel) {
    var cq = quarterOf(new Date());
    var quarter = field('安排到季度', select([[cq, cq], [nextQuarter(cq), nextQuarter(cq)]], { id: 'prop-quarter' }), '根据上一季度的热点话题提出直播建议');
    var out = h('div', { id: 'prop-out', 'aria-live': 'polite' });
    var btn = h('button', { type: 'button' }, '生成建议');
    var proposals = [];
    btn.addEventListener('click', function () {
      H.clear(out).appendChild(h('p', { class: 'muted' }, '正在生成…'));
      H.api('/api/livestream/proposals?quarter=' + quarter.input.value, { method: 'POST' }).then(function (r) {
        proposals = r.proposals || [];
        H.clear(out);
        if (!proposals.length) { out.appendChild(h('p', { class: 'muted' }, '没有需要新增的直播：热点话题已有计划场次覆盖。')); }
        var boxes = [];
        proposals.forEach(function (p, i) {
          var cb = h('input', { type: 'checkbox', id: 'prop-' + i, checked: true });
          boxes.push(cb);
          out.appendChild(h('div', { class: 'queue-item' },
            h('div', { class: 'row' }, cb, h('label', { for: 'prop-' + i, style: 'margin:0' }, p.title)),
            h('p', { class: 'small' }, H.fmtDateTime(p.startsAt) + ' · ' + (p.departmentName || H.depName(deps, p.departmentCode)) + (p.leader ? ' · ' + p.leader.name + '（' + p.leader.title + '）' : '')),
            h('p', { class: 'small muted' }, p.description || (p.why && p.why.text) || '')));
        });
        (r.skipped || []).forEach(function (s) { out.appendChild(h('p', { class: 'small muted' }, '未安排：' + s.topic + '（' + s.reason + '）')); });
        if (proposals.length) {
          var confirm = h('button', { type: 'button', style: 'margin-top:.5rem' }, '确认所选并创建场次');
          confirm.addEventListener('click', function () {
            var chosen = proposals.filter(function (_, i) { return boxes[i].checked; }).map(function (p) {
              return { title: p.title, description: p.description, departmentCode: p.departmentCode, leaderIds: p.leaderIds, topicKeys: p.topicKeys, startsAt: p.startsAt, endsAt: p.endsAt };
            });
            if (!chosen.length) { H.toast('请至少选择一项', 'error'); return; }
            H.api('/api/livestream/proposals/confirm', { method: 'POST', body: { proposals: chosen } }).then(function (res) {
              H.clear(out).appendChild(h('p', { class: 'status-big' }, '已创建 ' + (res.created || chosen.length) + ' 场直播，领导将收到邀请邮件。'));
            }).catch(function (e) { H.toast(errMsg(e), 'error'); });
          });
          out.appendChild(confirm);
        }
      }).catch(function (e) { H.clear(out).appendChild(h('p', { class: 'error-text', role: 'alert' }, errMsg(e))); });
    });
    panel.appendChild(h('section', { class: 'card', 'aria-labelledby': 'prop-h' }, h('h2', { id: 'prop-h' }, '直播建议'),
      h('div', { class: 'row' }, h('div', { style: 'min-width:12rem' }, quarter.wrap), h('div', { style: 'align-self:flex-end' }, btn)), out));
  }

  function viewCalendar(panel) {
    var box = h('div', { id: 'calendar', 'aria-live': 'polite' });
    function load() {
      var now = Date.now();
      var l = H.local(now);
      var monday = now - ((l.w + 6) % 7) * 86400000 - 14 * 86400000;
      H.api('/api/livestream/sessions?from=' + encodeURIComponent(new Date(monday - (l.hh * 3600000)).toISOString()) + '&to=' + encodeURIComponent(new Date(now + 70 * 86400000).toISOString()) + '&pageSize=500').then(function (r) {
        var list = H.items(r).sort(function (a, b) { return new Date(a.startsAt) - new Date(b.startsAt); });
        H.clear(box);
        if (!list.length) { box.appendChild(h('p', { class: 'muted' }, '这段时间没有直播安排。')); return; }
        var weeks = {};
        list.forEach(function (s) {
          var t = new Date(s.startsAt).getTime(), sl = H.local(t);
          var wk = H.ymd(t - ((sl.w + 6) % 7) * 86400000);
          (weeks[wk] = weeks[wk] || []).push(s);
        });
        Object.keys(weeks).sort().forEach(function (wk) {
          var ul = h('ul', { class: 'schedule' });
          weeks[wk].forEach(function (s) {
            var actions = [];
            if (s.status === 'scheduled') actions.push(['start', '开始直播'], ['cancel', '取消']);
            if (s.status === 'live') actions.push(['end', '结束直播']);
            ul.appendChild(h('li', null,
              h('div', null, h('span', { class: 'badge ' + s.status }, H.SESSION_STATUS[s.status] || s.status), ' ', h('strong', null, s.title), s.planned ? '' : h('span', { class: 'small muted' }, '（计划外）')),
              h('div', { class: 'small muted' }, H.fmtDateTime(s.startsAt) + '–' + H.fmtTime(s.endsAt) + ' · ' + H.depName(deps, s.departmentCode) + ((s.leaders || []).length ? ' · ' + s.leaders.map(function (x) { return x.name; }).join('、') : '')),
              actions.length ? h('div', { class: 'row', style: 'margin-top:.3rem' }, actions.map(function (a) {
                return h('button', { type: 'button', class: 'plain', 'aria-label': a[1] + '：' + s.title, onclick: function () {
                  H.api('/api/livestream/sessions/' + s.id + '/' + a[0], { method: 'POST' }).then(function () { H.toast(a[1] + '：' + s.title, 'ok'); load(); }).catch(function (e) { H.toast(errMsg(e), 'error'); });
                } }, a[1]);
              })) : null));
          });
          box.appendChild(h('section', null, h('h3', null, wk + ' 这一周'), ul));
        });
      }).catch(function (e) { H.clear(box).appendChild(h('p', { class: 'error-text' }, '加载失败：' + errMsg(e))); });
    }
    panel.appendChild(h('section', { class: 'card', 'aria-labelledby': 'cal-h' }, h('h2', { id: 'cal-h' }, '直播日程（按周）'), box));
    load();
  }

  var TABS = [
    { key: 'call', label: '登记来电', roles: ['operator', 'admin'], view: viewCall },
    { key: 'import', label: '导入工单', roles: ['operator', 'admin'], view: viewImport },
    { key: 'tickets', label: '工单列表', roles: ['operator', 'moderator', 'admin'], view: viewTickets },
    { key: 'moderate', label: '问答审核', roles: ['moderator', 'admin'], view: viewModerate },
    { key: 'answer', label: '直播答复', roles: ['leader', 'admin'], view: viewAnswer },
    { key: 'window', label: '窗口受理', roles: ['clerk', 'admin'], view: viewWindow },
    { key: 'report', label: '热点报告', roles: ['admin', 'leader'], view: viewReport },
    { key: 'proposals', label: '直播建议', roles: ['admin'], view: viewProposals },
    { key: 'calendar', label: '直播日程', roles: ['admin'], view: viewCalendar },
  ];
  function myTabs() { return TABS.filter(function (t) { return me && t.roles.indexOf(me.role) >= 0; }); }

  function show(key, focusTab) {
    var tabs = myTabs();
    var tab = tabs.filter(function (t) { return t.key === key; })[0] || tabs[0];
    if (!tab) return;
    cleanup.splice(0).forEach(function (f) { try { f(); } catch (e) { /* ignore */ } });
    current = tab.key;
    Array.prototype.forEach.call(document.querySelectorAll('#tabs [role=tab]'), function (b) {
      var on = b.getAttribute('data-tab') === tab.key;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.tabIndex = on ? 0 : -1;
      if (on && focusTab) b.focus();
    });
    var panel = H.clear($('#panel'));
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', 'tab-' + tab.key);
    if (location.hash !== '#' + tab.key) history.replaceState(null, '', '#' + tab.key);
    tab.view(panel);
  }

  function startApp() {
    $('#who').textContent = (me.displayName || me.username) + ' · ' + ({ admin: '管理员', operator: '话务员', moderator: '主持人', leader: '领导', clerk: '窗口人员' }[me.role] || me.role);
    $('#logout').hidden = false;
    var nav = H.clear($('#tabs'));
    nav.hidden = false;
    var tabs = myTabs();
    tabs.forEach(function (t) {
      nav.appendChild(h('button', { type: 'button', role: 'tab', id: 'tab-' + t.key, 'data-tab': t.key, 'aria-controls': 'panel', onclick: function () { show(t.key); } }, t.label));
    });
    nav.addEventListener('keydown', function (ev) {
      var keys = tabs.map(function (t) { return t.key; }), i = keys.indexOf(current);
      if (ev.key === 'ArrowRight') { ev.preventDefault(); show(keys[(i + 1) % keys.length], true); }
      else if (ev.key === 'ArrowLeft') { ev.preventDefault(); show(keys[(i - 1 + keys.length) % keys.length], true); }
      else if (ev.key === 'Home') { ev.preventDefault(); show(keys[0], true); }
      else if (ev.key === 'End') { ev.preventDefault(); show(keys[keys.length - 1], true); }
    });
    H.departments().then(function (d) {
      deps = d.filter(function (x) { return x.kind === 'department'; });
      streets = d.filter(function (x) { return x.kind === 'street'; });
      units = d;
      show((location.hash || '').slice(1));
    });
  }

  function logout() {
    SS.removeItem(H.tokenKey); SS.removeItem('hub.user'); SS.removeItem('hub.apps');
    location.hash = '';
    location.reload();
  }
  $('#logout').addEventListener('click', logout);
  // An expired or revoked token: back to the login form.
  window.addEventListener('hub:unauthorized', function () {
    SS.removeItem(H.tokenKey); SS.removeItem('hub.user');
    location.reload();
  });

  $('#login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var u = $('#login-user').value.trim(), p = $('#login-pass').value, err = $('#login-err');
    err.textContent = '';
    if (!u || !p) { err.textContent = '请填写用户名和密码。'; (u ? $('#login-pass') : $('#login-user')).focus(); return; }
    H.api('/api/auth/login', { method: 'POST', body: { username: u, password: p }, auth: false }).then(function (r) {
      SS.setItem(H.tokenKey, r.accessToken);
      SS.setItem('hub.user', JSON.stringify(r.user));
      me = r.user;
      startApp();
    }).catch(function (e) {
      err.textContent = e.status === 401 ? '用户名或密码不正确。' : e.status === 429 ? '失败次数过多，请稍后再试。' : '登录失败：' + errMsg(e);
      $('#login-pass').focus();
    });
  });

  if (me && H.token()) startApp();
  else $('#login-user').focus();
})();
