// The link from the verification mail lands here; the token in the query string is the credential.
meiduo.createApp({
  data: function () {
    return { state: 'checking', message: '' };
  },
  mounted: function () {
    var self = this;
    var token = meiduo.queryParam('token');
    if (!token) {
      self.state = 'failed';
      self.message = '链接不完整';
      return;
    }
    meiduo.api('GET', '/emails/verification/', { params: { token: token }, auth: false }).then(function () {
      self.state = 'ok';
    }, function (err) {
      self.state = 'failed';
      self.message = err.message;
    });
  }
}).mount('#app');
