// What the page scripts share besides the API client: meiduo.createApp (Vue with the shared components),
// the pager, the captcha and SMS-button mixins, the toast, and the form rules the server checks too.
(function (global) {
  'use strict';

  var meiduo = global.meiduo;

  // The mainland mobile number, the same rule the API checks.
  var MOBILE_PATTERN = /^1[3-9]\d{9}$/;

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
    toast(err instanceof meiduo.ApiError ? err.message : String(err), 'error');
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

  // Vue mixin for the image captcha row (templates/includes/captcha_row.html): v-model="imageCode".
  var imageCodeMixin = {
    data: function () { return { imageCodeId: uuid(), imageCode: '' }; },
    computed: {
      imageCodeUrl: function () { return host + '/image_codes/' + this.imageCodeId + '/'; }
    },
    methods: {
      refreshImageCode: function () { this.imageCodeId = uuid(); this.imageCode = ''; }
    }
  };

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

  // Every page's Vue app: [[ ]] for Vue, since the page templates are Django's, which owns {{ }}.
  function createApp(options) {
    return Vue.createApp(Object.assign({ delimiters: ['[[', ']]'] }, options)).component('meiduo-pager', Pager);
  }

  meiduo.MOBILE_PATTERN = MOBILE_PATTERN;
  meiduo.createApp = createApp;
  meiduo.Pager = Pager;
  meiduo.toast = toast;
  meiduo.showError = showError;
  meiduo.queryParam = queryParam;
  meiduo.typedValue = typedValue;
  meiduo.smsButtonMixin = smsButtonMixin;
  meiduo.imageCodeMixin = imageCodeMixin;
})(window);
