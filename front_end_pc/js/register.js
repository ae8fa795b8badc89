// register.html: availability checks on blur, image captcha, SMS code with a 60 s countdown, then POST /users/.
(function () {
  'use strict';

  var USERNAME_RE = /^[A-Za-z0-9_-]{5,20}$/;

  meiduo.createApp({
    mixins: [meiduo.imageCodeMixin, meiduo.smsButtonMixin],
    data: function () {
      return {
        username: '', password: '', password2: '', mobile: '',
        smsCode: '', allow: false,
        errors: {}, submitting: false
      };
    },
    methods: {
      setError: function (field, message) { this.errors = Object.assign({}, this.errors, { [field]: message || '' }); },
      checkUsername: function () {
        var self = this;
        if (!USERNAME_RE.test(self.username)) {
          self.setError('username', '请输入5-20个字符的用户名（字母、数字、_或-）');
          return false;
        }
        if (/^\d+$/.test(self.username)) {
          self.setError('username', '用户名不能是纯数字');
          return false;
        }
        self.setError('username', '');
        meiduo.api('GET', '/usernames/' + encodeURIComponent(self.username) + '/count/', { auth: false })
          .then(function (data) { if (data.count > 0) self.setError('username', '用户名已存在'); })
          .catch(function () {});
        return true;
      },
      checkPassword: function () {
        var ok = this.password.length >= 8 && this.password.length <= 20;
        this.setError('password', ok ? '' : '密码最少8位，最长20位');
        return ok;
      },
      checkPassword2: function () {
        var ok = this.password2 === this.password;
        this.setError('password2', ok ? '' : '两次输入的密码不一致');
        return ok;
      },
      checkMobile: function () {
        var self = this;
        if (!meiduo.MOBILE_PATTERN.test(self.mobile)) {
          self.setError('mobile', '您输入的手机号格式不正确');
          return false;
        }
        self.setError('mobile', '');
        meiduo.api('GET', '/mobiles/' + self.mobile + '/count/', { auth: false })
          .then(function (data) { if (data.count > 0) self.setError('mobile', '手机号已存在'); })
          .catch(function () {});
        return true;
      },
      checkImageCode: function () {
        var ok = this.imageCode.length === 4;
        this.setError('imageCode', ok ? '' : '请填写图片验证码');
        return ok;
      },
      sendSmsCode: function () {
        var self = this;
        if (self.smsSending || self.countdown > 0) return;
        var mobileOk = self.checkMobile();
        var imageOk = self.checkImageCode();
        if (!mobileOk || !imageOk) return;
        self.smsSending = true;
        meiduo.api('GET', '/sms_codes/' + self.mobile + '/', {
          auth: false, params: { text: self.imageCode, image_code_id: self.imageCodeId }
        }).then(function () {
          self.setError('smsCode', '');
          self.startSmsCountdown();
          meiduo.toast('短信验证码已发送', 'success');
        }).catch(function (err) {
          var message = err.message;
          if (/图片验证码/.test(message)) self.setError('imageCode', message);
          else self.setError('smsCode', message);
        }).finally(function () {
          // The captcha is spent by every check, right or wrong.
          self.refreshImageCode();
          self.smsSending = false;
        });
      },
      onSubmit: function () {
        var self = this;
        var ok = [self.checkUsername(), self.checkPassword(), self.checkPassword2(), self.checkMobile()]
          .every(Boolean);
        if (!/^\d{6}$/.test(self.smsCode)) { self.setError('smsCode', '请填写6位短信验证码'); ok = false; }
        else self.setError('smsCode', '');
        if (!self.allow) { self.setError('allow', '请勾选同意用户协议'); ok = false; }
        else self.setError('allow', '');
        if (!ok || self.submitting) return;
        self.submitting = true;
        self.setError('form', '');
        meiduo.api('POST', '/users/', {
          auth: false,
          data: {
            username: self.username, password: self.password, password2: self.password2,
            mobile: self.mobile, sms_code: self.smsCode, allow: self.allow.toString()
          }
        }).then(function (data) {
          meiduo.auth.save(data, true);
          location.href = '/index.html';
        }).catch(function (err) {
          var data = err.data || {};
          self.setError('form', (data.non_field_errors && data.non_field_errors[0]) || err.message || '数据有误');
          self.submitting = false;
        });
      }
    }
  }).mount('#app');
})();
