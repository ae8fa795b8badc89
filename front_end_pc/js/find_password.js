// find_password.html: 1 account + captcha (F1) → 2 SMS code (F2, F3) → 3 new password (F4) → 4 done.
(function () {
  'use strict';


  meiduo.createApp({
    mixins: [meiduo.imageCodeMixin, meiduo.smsButtonMixin],
    data: function () {
      return {
        step: 1, stepTitles: ['填写账户名', '验证身份', '设置新密码', '完成'],
        account: '',
        maskedMobile: '', smsToken: '', smsCode: '',
        userId: null, resetToken: '', password: '', password2: '',
        errors: {}, busy: false
      };
    },
    methods: {
      submitAccount: function () {
        var self = this;
        self.errors = {
          account: self.account ? '' : '请输入用户名或手机号',
          imageCode: self.imageCode.length === 4 ? '' : '请填写图片验证码'
        };
        if (self.errors.account || self.errors.imageCode || self.busy) return;
        self.busy = true;
        meiduo.api('GET', '/accounts/' + encodeURIComponent(self.account) + '/sms/token/', {
          auth: false, params: { text: self.imageCode, image_code_id: self.imageCodeId }
        }).then(function (data) {
          self.maskedMobile = data.mobile;
          self.smsToken = data.access_token;
          self.step = 2;
        }).catch(function (err) {
          if (err.status === 404) self.errors = { account: '用户名或手机号不存在' };
          else if (err.status === 400) self.errors = { imageCode: err.message || '验证码错误' };
          else meiduo.showError(err);
          self.refreshImageCode();
        }).finally(function () { self.busy = false; });
      },
      sendSmsCode: function () {
        var self = this;
        if (self.smsSending || self.countdown > 0) return;
        self.smsSending = true;
        meiduo.api('GET', '/sms_codes/', { auth: false, params: { access_token: self.smsToken } })
          .then(function () {
            self.errors = {};
            self.startSmsCountdown();
            meiduo.toast('短信验证码已发送', 'success');
          })
          .catch(function (err) { self.errors = { smsCode: err.message }; })
          .finally(function () { self.smsSending = false; });
      },
      submitSmsCode: function () {
        var self = this;
        if (!/^\d{6}$/.test(self.smsCode)) { self.errors = { smsCode: '请填写6位短信验证码' }; return; }
        if (self.busy) return;
        self.busy = true;
        meiduo.api('GET', '/accounts/' + encodeURIComponent(self.account) + '/password/token/', {
          auth: false, params: { sms_code: self.smsCode }
        }).then(function (data) {
          self.userId = data.user_id;
          self.resetToken = data.access_token;
          self.errors = {};
          self.step = 3;
        }).catch(function (err) {
          self.errors = { smsCode: err.status === 404 ? '手机号不存在' : err.message };
        }).finally(function () { self.busy = false; });
      },
      submitPassword: function () {
        var self = this;
        self.errors = {
          password: self.password.length >= 8 && self.password.length <= 20 ? '' : '密码最少8位，最长20位',
          password2: self.password2 === self.password ? '' : '两次输入的密码不一致'
        };
        if (self.errors.password || self.errors.password2 || self.busy) return;
        self.busy = true;
        meiduo.api('POST', '/users/' + self.userId + '/password/', {
          auth: false,
          data: { password: self.password, password2: self.password2, access_token: self.resetToken }
        }).then(function () {
          self.step = 4;
        }).catch(function (err) {
          self.errors = { password: err.message };
        }).finally(function () { self.busy = false; });
      }
    }
  }).mount('#app');
})();
