/* Shared helpers for the public page and the staff console. No innerHTML anywhere: user text is always textContent. */
(function () {
  'use strict';

  /** h('div', {class:'x', onclick: fn, 'aria-label': '…'}, 'text', child, …): builds DOM, strings become text nodes. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k.slice(0, 2) === 'on' && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k === 'value') el.value = v;
        else if (v === true) el.setAttribute(k, '');
        else el.setAttribute(k, String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(function (x) { append(el, x); });
    else if (typeof c === 'string' || typeof c === 'number') el.appendChild(document.createTextNode(String(c)));
    else el.appendChild(c);
  }
  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }
  function $(sel, root) {
    return (root || document).querySelector(sel);
  }

  var tokenKey = 'hub.token';
  function token() {
    try { return sessionStorage.getItem(tokenKey); } catch (e) { return null; }
  }

  /** fetch JSON; throws an Error with .status and a readable .message (Nest's message array joined). */
  function api(path, opts) {
    opts = opts || {};
    var headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
    var body = opts.body;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Blob) && !(body instanceof FormData)) {
      body = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    var t = opts.auth === false ? null : token();
    if (t) headers.Authorization = 'Bearer ' + t;
    return fetch(path, { method: opts.method || 'GET', headers: headers, body: body }).then(function (r) {
      var ct = r.headers.get('content-type') || '';
      var p = ct.indexOf('json') >= 0 ? r.json() : r.text();
      return p.then(function (data) {
        if (r.status === 401 && t) window.dispatchEvent(new CustomEvent('hub:unauthorized'));
        if (!r.ok) {
          var msg = data && data.message ? (Array.isArray(data.message) ? data.message.join('；') : data.message) : r.statusText;
          var err = new Error(msg || ('HTTP ' + r.status));
          err.status = r.status;
          err.data = data;
          throw err;
        }
        return data;
      });
    });
  }

  function items(x) {
    if (!x) return [];
    if (Array.isArray(x)) return x;
    if (Array.isArray(x.items)) return x.items;
    return [];
  }

  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  /** Date/time in Beijing time whatever the device's zone: 11月28日 周六 15:00. */
  function local(d) {
    var x = new Date(new Date(d).getTime() + 8 * 3600000);
    return { y: x.getUTCFullYear(), m: x.getUTCMonth() + 1, d: x.getUTCDate(), w: x.getUTCDay(), hh: x.getUTCHours(), mm: x.getUTCMinutes() };
  }
  var WEEK = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
  function fmtDateTime(d) {
    if (!d) return '';
    var l = local(d);
    return l.m + '月' + l.d + '日 ' + WEEK[l.w] + ' ' + pad(l.hh) + ':' + pad(l.mm);
  }
  function fmtTime(d) {
    if (!d) return '';
    var l = local(d);
    return pad(l.hh) + ':' + pad(l.mm);
  }
  function fmtShort(d) {
    if (!d) return '';
    var l = local(d);
    return l.y + '-' + pad(l.m) + '-' + pad(l.d) + ' ' + pad(l.hh) + ':' + pad(l.mm);
  }
  function ymd(d) {
    var l = local(d);
    return l.y + '-' + pad(l.m) + '-' + pad(l.d);
  }

  var deps = null;
  function departments() {
    if (!deps) deps = api('/api/departments', { auth: false }).catch(function () { return []; });
    return deps;
  }
  function depName(list, code) {
    if (!code) return '';
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i].name;
    return code;
  }

  var SESSION_STATUS = { scheduled: '预告', live: '直播中', ended: '已结束', cancelled: '已取消' };
  var TICKET_STATUS = { received: '已受理', dispatched: '已派单', in_progress: '办理中', replied: '已答复', closed: '已办结' };
  var APP_STATUS = { accepted: '已受理', under_review: '审查中', needs_supplement: '需补正材料', completed: '已办结', rejected: '不予受理' };
  var SATISFACTION = { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' };
  var CHANNEL = { phone: '电话', web: '网站', wechat: '微信', app: 'App', email: '邮件' };

  function debounce(fn, ms) {
    var t;
    return function () {
      var args = arguments, self = this;
      clearTimeout(t);
      t = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  /** Announces a message to screen readers and shows it in a toast region (#toast). */
  function toast(msg, kind) {
    var box = document.getElementById('toast');
    if (!box) return;
    var item = h('div', { class: 'toast ' + (kind || 'info'), role: kind === 'error' ? 'alert' : 'status' }, msg);
    box.appendChild(item);
    setTimeout(function () { if (item.parentNode) item.parentNode.removeChild(item); }, 5000);
  }

  window.Hub = {
    h: h, clear: clear, $: $, api: api, items: items, token: token, tokenKey: tokenKey,
    fmtDateTime: fmtDateTime, fmtTime: fmtTime, fmtShort: fmtShort, ymd: ymd, local: local,
    departments: departments, depName: depName, debounce: debounce, toast: toast,
    SESSION_STATUS: SESSION_STATUS, TICKET_STATUS: TICKET_STATUS, APP_STATUS: APP_STATUS, SATISFACTION: SATISFACTION, CHANNEL: CHANNEL,
  };
})();
