// login.html: username or mobile + password; "记住登录" keeps the login in localStorage, else sessionStorage.
(function () {
  'use strict';

  // Only paths on this site: ?next=https://elsewhere must not turn the login page into a redirector.
  function nextPage() {
    var next = meiduo.queryParam('next');
    return next && /^\/(?!\/)/.test(next) ? next : '/index.html';
  }

  // Read before mounting: Vue empties #app when it takes over the page.
  var typedUsername = meiduo.typedValue('username');
  var typedPassword = meiduo.typedValue('password');

  meiduo.createApp({
    data: function () {
      return { username: typedUsername, password: typedPassword, remember: false, errors: {}, submitting: false };
    },
    methods: {
      onSubmit: function () {
        var self = this;
        self.errors = {
          username: self.username ? '' : '请输入用户名或手机号',
          password: self.password ? '' : '请输入密码'
        };
        if (self.errors.username || self.errors.password || self.submitting) return;
        self.submitting = true;
        meiduo.api('POST', '/authorizations/', {
          auth: false, data: { username: self.username, password: self.password }
        }).then(function (data) {
          meiduo.auth.save(data, self.remember);
          location.href = nextPage();
        }).catch(function (err) {
          var message = err.status === 400 ? '用户名或密码错误' : err.message;
          self.errors = Object.assign({}, self.errors, { form: message });
          self.submitting = false;
        });
      },
      // QQ sends the shopper back to oauth_callback.html with `state` = where to go afterwards.
      onQQLogin: function () {
        meiduo.api('GET', '/oauth/qq/authorization/', { auth: false, params: { next: nextPage() } })
          .then(function (data) { location.href = data.login_url; })
          .catch(meiduo.showError);
      }
    }
  }).mount('#app');
})();
