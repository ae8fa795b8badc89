// Shared by every page: login state, the API helper, header and footer.
(function (global) {
  'use strict';

  function storageGet(key) {
    return sessionStorage.getItem(key) || localStorage.getItem(key) || '';
  }

  var auth = {
    token: function () { return storageGet('token'); },
    userId: function () { return storageGet('user_id'); },
    username: function () { return storageGet('username'); },
    isLoggedIn: function () { return !!(storageGet('token') && storageGet('user_id')); },
    // remember=true keeps the login in localStorage (survives the browser), else sessionStorage.
    save: function (data, remember) {
      var keep = remember ? localStorage : sessionStorage;
      sessionStorage.clear();
      localStorage.removeItem('token');
      localStorage.removeItem('user_id');
      localStorage.removeItem('username');
      keep.setItem('token', data.token);
      keep.setItem('user_id', data.user_id !== undefined ? data.user_id : data.id);
      keep.setItem('username', data.username);
    },
    clear: function () {
      ['token', 'user_id', 'username'].forEach(function (k) {
        sessionStorage.removeItem(k);
        localStorage.removeItem(k);
      });
    }
  };

  function logout() {
    auth.clear();
    location.href = '/login.html';
  }

  function ApiError(status, data) {
    this.status = status;
    this.data = data;
    this.message = errorMessage(data, status);
  }

  // The first readable message of a DRF error body, in the shapes API.md lists.
  function errorMessage(data, status) {
    if (status === 0) return '网络异常，请稍后重试';
    if (data) {
      if (Array.isArray(data) && data.length) return String(data[0]);
      if (typeof data === 'object') {
        if (data.message) return data.message;
        if (data.non_field_errors) return data.non_field_errors[0];
        if (data.detail) return data.detail;
        for (var key in data) {
          var v = data[key];
          if (Array.isArray(v) && v.length) return v[0];
          if (typeof v === 'string') return v;
        }
      }
      if (typeof data === 'string' && data.length < 200) return data;
    }
    if (status >= 500) return '服务器错误，请稍后重试';
    return '请求有误';
  }

  function buildQuery(params) {
    if (!params) return '';
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null && params[k] !== '') {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(params[k]));
      }
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  // api('GET', '/user/', {params, data, credentials}) → Promise of the parsed body.
  // Sends `Authorization: JWT <token>` whenever a token is stored; rejects with ApiError.
  function api(method, path, options) {
    options = options || {};
    var headers = { 'Accept': 'application/json' };
    var token = auth.token();
    if (token && options.auth !== false) headers['Authorization'] = 'JWT ' + token;
    var init = { method: method, headers: headers, credentials: 'include' };
    if (options.data !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.data);
    }
    return fetch(host + path + buildQuery(options.params), init).then(function (resp) {
      var type = resp.headers.get('Content-Type') || '';
      var body = type.indexOf('application/json') >= 0 ? resp.json() : resp.text();
      return body.then(function (data) {
        if (resp.ok) return data;
        throw new ApiError(resp.status, data);
      });
    }, function () {
      throw new ApiError(0, null);
    });
  }

  // Pages that need a member call this first: no token → the login page, then back here.
  function requireLogin() {
    if (!auth.isLoggedIn()) {
      location.href = '/login.html?next=' + encodeURIComponent(location.pathname + location.search);
      return false;
    }
    return true;
  }

  // An API answer of 401/403 on a member page means the login has expired.
  function handleAuthError(err) {
    if (err && (err.status === 401 || err.status === 403)) {
      auth.clear();
      location.href = '/login.html?next=' + encodeURIComponent(location.pathname + location.search);
      return true;
    }
    return false;
  }

  var toastTimer = null;
  function toast(message, kind) {
    var el = document.getElementById('site-toast');
    if (!el) {
      el = document.createElement('div');
      el.id = 'site-toast';
      el.setAttribute('role', 'alert');
      document.body.appendChild(el);
    }
    el.className = 'toast ' + (kind || 'error');
    el.textContent = message;
    el.style.display = 'block';
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.style.display = 'none'; }, 4000);
  }

  function showError(err) {
    toast(err instanceof ApiError ? err.message : String(err), 'error');
  }

  function queryParam(name) {
    return new URLSearchParams(location.search).get(name);
  }

  // What the shopper already typed into a field before Vue took the page over (slow network).
  // Pages read it before mounting and start their data from it, so mounting does not wipe it.
  function typedValue(id) {
    var field = document.getElementById(id);
    return field ? field.value : '';
  }

  // A v4 uuid, e.g. for an image captcha id; crypto.randomUUID needs a secure origin, this does not.
  function uuid() {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  // Vue mixin for a "获取短信验证码" button: call startSmsCountdown() after a send; the label counts down '<n>秒'.
  var SMS_RESEND_SECONDS = 60;
  var smsButtonMixin = {
    data: function () { return { countdown: 0, smsSending: false }; },
    computed: {
      smsButtonText: function () {
        if (this.countdown > 0) return this.countdown + '秒';
        return this.smsSending ? '发送中…' : '获取短信验证码';
      }
    },
    methods: {
      startSmsCountdown: function () {
        var self = this;
        self.countdown = SMS_RESEND_SECONDS;
        var timer = setInterval(function () {
          self.countdown -= 1;
          if (self.countdown <= 0) clearInterval(timer);
        }, 1000);
      }
    }
  };

  // Vue mixin for an image captcha: <img :src="imageCodeUrl" @click="refreshImageCode"> and v-model="imageCode".
  var imageCodeMixin = {
    data: function () { return { imageCodeId: uuid(), imageCode: '' }; },
    computed: {
      imageCodeUrl: function () { return host + '/image_codes/' + this.imageCodeId + '/'; }
    },
    methods: {
      refreshImageCode: function () { this.imageCodeId = uuid(); this.imageCode = ''; }
    }
  };

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // Header: login state and logout. Pages include <div id="site-header"></div>.
  function renderHeader() {
    var el = document.getElementById('site-header');
    if (!el) return;
    var user = auth.isLoggedIn()
      ? '<span class="welcome">欢迎您：<em class="username">' + escapeHtml(auth.username()) + '</em></span>' +
        '<a href="/user_center_info.html">用户中心</a><a href="/user_center_order.html">我的订单</a>' +
        '<a href="#" class="logout">退出</a>'
      : '<a href="/login.html" class="login-link">登录</a><a href="/register.html" class="register-link">注册</a>';
    el.innerHTML =
      '<div class="topbar"><div class="wrap">' +
      '<span class="greeting">欢迎来到美多商城!</span>' +
      '<span class="user-links">' + user + '</span>' +
      '</div></div>' +
      '<div class="brandbar wrap"><a href="/index.html" class="logo">美多商城</a>' +
      '<form class="search" action="/search.html" method="get">' +
      '<input type="text" name="q" placeholder="搜索商品" aria-label="搜索商品"><button type="submit">搜索</button></form>' +
      '<div id="mini-cart-slot"></div></div>';
    var out = el.querySelector('.logout');
    if (out) out.addEventListener('click', function (e) { e.preventDefault(); logout(); });
    miniCart.refresh();
  }

  // <meiduo-pager :page="page" :pages="totalPages" @go="goTo"> on every paginated page:
  // 上一页, at most five page numbers around the current one, 下一页.
  var Pager = {
    props: { page: { type: Number, required: true }, pages: { type: Number, required: true } },
    emits: ['go'],
    computed: {
      numbers: function () {
        var first = Math.max(1, Math.min(this.page - 2, this.pages - 4));
        var last = Math.min(this.pages, first + 4);
        var numbers = [];
        for (var n = first; n <= last; n++) numbers.push(n);
        return numbers;
      }
    },
    render: function () {
      var self = this;
      var h = Vue.h;
      if (self.pages <= 1) return null;
      function link(label, target) {
        return h('a', { href: '#', onClick: function (e) { e.preventDefault(); self.$emit('go', target); } }, label);
      }
      var items = [];
      if (self.page > 1) items.push(link('上一页', self.page - 1));
      self.numbers.forEach(function (n) {
        items.push(n === self.page ? h('span', { class: 'current' }, String(n)) : link(String(n), n));
      });
      if (self.page < self.pages) items.push(link('下一页', self.page + 1));
      return h('div', { class: 'pager' }, items);
    }
  };

  var USER_CENTER_MENU = [
    ['/user_center_info.html', '个人信息'],
    ['/user_center_site.html', '收货地址'],
    ['/user_center_order.html', '全部订单'],
    ['/user_center_pass.html', '修改密码']
  ];

  // The user-centre side menu. Pages include <nav id="user-center-menu" data-active="/<page>.html">.
  function renderUserCenterMenu() {
    var el = document.getElementById('user-center-menu');
    if (!el) return;
    var active = el.getAttribute('data-active');
    el.innerHTML = USER_CENTER_MENU.map(function (item) {
      return '<a href="' + item[0] + '"' + (item[0] === active ? ' class="active"' : '') + '>' + item[1] + '</a>';
    }).join('');
  }

  function renderFooter() {
    var el = document.getElementById('site-footer');
    if (!el) return;
    el.innerHTML =
      '<div class="wrap"><p class="links"><a href="/index.html">关于我们</a> | <a href="/index.html">联系我们</a> | ' +
      '<a href="/index.html">招聘人才</a> | <a href="/index.html">友情链接</a></p>' +
      '<p>CopyRight © 2026 美多商城 All Rights Reserved</p></div>';
  }

  // Mini cart in the header: the number of pieces and a dropdown of the lines, from GET /cart/
  // (a guest's cookie cart or a member's cart). Pages that change the cart call meiduoMiniCart.refresh().
  var miniCart = {
    refresh: function () {
      loadMiniCartStyle();
      return api('GET', '/cart/').then(renderMiniCart, function () { renderMiniCart(null); });
    }
  };

  function loadMiniCartStyle() {
    if (document.getElementById('mini-cart-style')) return;
    var link = document.createElement('link');
    link.id = 'mini-cart-style';
    link.rel = 'stylesheet';
    link.href = '/css/mini_cart.css';
    document.head.appendChild(link);
  }

  // lines === null: the cart could not be read, so no count is shown rather than a wrong one.
  function renderMiniCart(lines) {
    var slot = document.getElementById('mini-cart-slot');
    if (!slot) return;
    var total = 0;
    var items = (lines || []).map(function (line) {
      total += line.count;
      return '<li><a href="/goods/' + encodeURIComponent(line.id) + '.html">' +
        '<img src="' + escapeHtml(line.default_image_url || '') + '" alt="">' +
        '<span class="name">' + escapeHtml(line.name) + '</span></a>' +
        '<span class="line-count">×' + escapeHtml(line.count) + '</span></li>';
    }).join('');
    slot.innerHTML = '<div class="mini-cart">' +
      '<a href="/cart.html" class="mini-cart-link">我的购物车' +
      (lines ? '<em class="mini-cart-count">' + total + '</em>' : '') + '</a>' +
      '<div class="mini-cart-dropdown">' +
      (lines === null ? '<p class="empty">购物车暂时无法读取，请稍后再试</p>'
        : items ? '<ul>' + items + '</ul>' : '<p class="empty">购物车中还没有商品，赶紧选购吧！</p>') +
      '<a href="/cart.html" class="btn go-cart">去购物车结算</a></div></div>';
  }

  document.addEventListener('DOMContentLoaded', function () {
    renderHeader();
    renderUserCenterMenu();
    renderFooter();
  });

  global.meiduoMiniCart = miniCart;
  global.meiduo = {
    auth: auth,
    api: api,
    ApiError: ApiError,
    errorMessage: errorMessage,
    logout: logout,
    requireLogin: requireLogin,
    handleAuthError: handleAuthError,
    toast: toast,
    showError: showError,
    queryParam: queryParam,
    Pager: Pager,
    typedValue: typedValue,
    uuid: uuid,
    smsButtonMixin: smsButtonMixin,
    imageCodeMixin: imageCodeMixin,
    escapeHtml: escapeHtml,
    renderHeader: renderHeader
  };
})(window);
