// 修改密码: the old password, then the new one twice. Success ends every login, this one too.
(function () {
  'use strict';

  if (!meiduo.requireLogin()) return;

  meiduo.createApp({
    data: function () {
      return { oldPassword: '', password: '', password2: '', errors: {}, submitting: false };
    },
    methods: {
      validate: function () {
        var errors = {};
        if (!this.oldPassword) errors.oldPassword = '请输入当前密码';
        if (this.password.length < 8 || this.password.length > 20) errors.password = '密码最少8位，最长20位';
        else if (this.password === this.oldPassword) errors.password = '新密码不能与原密码相同';
        if (this.password2 !== this.password) errors.password2 = '两次密码不一致';
        this.errors = errors;
        return Object.keys(errors).length === 0;
      },
      submit: function () {
        var self = this;
        if (!self.validate()) return;
        self.submitting = true;
        var body = { old_password: self.oldPassword, password: self.password, password2: self.password2 };
        meiduo.api('PUT', '/users/' + meiduo.auth.userId() + '/password/', { data: body }).then(function () {
          meiduo.auth.clear();
          meiduo.toast('密码已修改，请重新登录', 'success');
          setTimeout(function () {
            location.href = '/login.html?next=' + encodeURIComponent('/user_center_info.html');
          }, 1200);
        }, function (err) {
          self.submitting = false;
          if (!meiduo.handleAuthError(err)) self.errors = { form: err.message };
        });
      }
    }
  }).mount('#app');
})();
