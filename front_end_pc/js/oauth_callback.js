// QQ sends the shopper here with ?code=&state=. A bound QQ account logs in at once;
// otherwise the page binds it to a mobile number (existing account or a new one).
meiduo.createApp({
  data: function () {
    return {
      state: 'checking', failure: '', accessToken: '',
      mobile: '', password: '', smsCode: '', errors: {},
      countdown: 0, sending: false, submitting: false
    };
  },
  mounted: function () {
    var self = this;
    var code = meiduo.queryParam('code');
    if (!code) {
      self.fail('缺少QQ授权码，请重新登录');
      return;
    }
    meiduo.api('GET', '/oauth/qq/user/', { params: { code: code }, auth: false })
      .then(function (data) {
        if (data.token) {
          self.finish(data);
        } else {
          self.accessToken = data.access_token;
          self.state = 'bind';
        }
      })
      .catch(function (err) { self.fail(err.message); });
  },
  methods: {
    fail: function (message) {
      this.failure = message;
      this.state = 'failed';
    },
    // Same as registration: a QQ login is remembered in localStorage.
    finish: function (data) {
      meiduo.auth.save(data, true);
      var next = meiduo.queryParam('state') || '/';
      location.href = next.charAt(0) === '/' && next.charAt(1) !== '/' ? next : '/';
    },
    validate: function () {
      var errors = {};
      if (!meiduo.MOBILE_PATTERN.test(this.mobile)) errors.mobile = '请输入正确的手机号';
      if (this.password.length < 8 || this.password.length > 20) errors.password = '密码为8-20个字符';
      if (!/^\d{6}$/.test(this.smsCode)) errors.smsCode = '请输入6位短信验证码';
      this.errors = errors;
      return Object.keys(errors).length === 0;
    },
    sendSms: function () {
      var self = this;
      if (!meiduo.MOBILE_PATTERN.test(self.mobile)) {
        self.errors = { mobile: '请输入正确的手机号' };
        return;
      }
      self.sending = true;
      meiduo.api('GET', '/sms_codes/' + self.mobile + '/', { auth: false })
        .then(function () {
          self.countdown = 60;
          var timer = setInterval(function () {
            self.countdown -= 1;
            if (self.countdown <= 0) clearInterval(timer);
          }, 1000);
        })
        .catch(meiduo.showError)
        .then(function () { self.sending = false; });
    },
    submit: function () {
      var self = this;
      if (!self.validate()) return;
      self.submitting = true;
      meiduo.api('POST', '/oauth/qq/user/', {
        auth: false,
        data: { access_token: self.accessToken, mobile: self.mobile, password: self.password, sms_code: self.smsCode }
      })
        .then(function (data) { self.finish(data); })
        .catch(function (err) {
          meiduo.showError(err);
          self.submitting = false;
        });
    }
  }
}).mount('#app');
