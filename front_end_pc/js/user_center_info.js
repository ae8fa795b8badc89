// 个人信息: profile, the e-mail and its verification state, and the recently viewed goods.
(function () {
  'use strict';

  var EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  if (!meiduo.requireLogin()) return;

  meiduo.createApp({
    data: function () {
      return {
        profile: null, editingEmail: false, emailInput: '', emailError: '', sending: false, notice: '',
        history: null
      };
    },
    mounted: function () {
      var self = this;
      meiduo.api('GET', '/user/').then(function (data) {
        self.profile = data;
        self.editingEmail = !data.email;
      }, function (err) {
        if (!meiduo.handleAuthError(err)) meiduo.showError(err);
      });
      meiduo.api('GET', '/browse_histories/').then(function (data) {
        self.history = Array.isArray(data) ? data : [];
      }, function (err) {
        // No history yet, or the catalog not deployed: an empty block, not an error.
        if (!meiduo.handleAuthError(err)) self.history = [];
      });
    },
    methods: {
      startEditing: function () {
        this.emailInput = this.profile.email;
        this.emailError = '';
        this.editingEmail = true;
      },
      saveEmail: function (email) {
        var self = this;
        if (!EMAIL_RE.test(email || '')) {
          self.emailError = '邮箱格式错误';
          return;
        }
        self.emailError = '';
        self.sending = true;
        meiduo.api('PUT', '/email/', { data: { email: email } }).then(function (data) {
          if (data.email !== self.profile.email) self.profile.email_active = false;
          self.profile.email = data.email;
          self.editingEmail = false;
          self.notice = '验证邮件已发送到 ' + data.email + '，请登录邮箱点击链接完成验证（24小时内有效）。';
          meiduo.toast('验证邮件已发送', 'success');
        }, function (err) {
          if (!meiduo.handleAuthError(err)) self.emailError = err.message;
        }).then(function () {
          self.sending = false;
        });
      }
    }
  }).mount('#app');
})();
