// Alipay sends the buyer here with signed parameters in the query string; the server checks them.
meiduo.createApp({
  data: function () {
    return { state: 'checking', tradeId: '', message: '' };
  },
  mounted: function () {
    var self = this;
    meiduo.api('PUT', '/payment/status/' + location.search, { data: {} }).then(function (data) {
      self.tradeId = data.trade_id;
      self.state = 'paid';
    }, function (err) {
      self.state = 'failed';
      self.message = err.status === 403 ? '非法请求' : err.message;
    });
  }
}).mount('#app');
