// 商品评价: every line of a received order not yet commented, each with its own form.
(function () {
  'use strict';

  if (!meiduo.requireLogin()) return;

  meiduo.createApp({
    data: function () {
      return { orderId: meiduo.queryParam('order_id') || '', loading: true, message: '', lines: [] };
    },
    mounted: function () {
      var self = this;
      if (!/^\d+$/.test(self.orderId)) {
        self.loading = false;
        self.message = '订单号有误';
        return;
      }
      meiduo.api('GET', '/orders/' + self.orderId + '/uncommentgoods/').then(function (lines) {
        self.lines = lines.map(function (line) {
          return Object.assign({}, line, { score: 5, comment: '', is_anonymous: false, error: '', sending: false });
        });
      }, function (err) {
        if (meiduo.handleAuthError(err)) return;
        self.message = err.status === 404 ? '订单不存在' : err.message;
      }).then(function () {
        self.loading = false;
      });
    },
    methods: {
      submit: function (line) {
        var self = this;
        if (line.comment.length < 5) {
          line.error = '评价内容不能少于5个字';
          return;
        }
        line.error = '';
        line.sending = true;
        meiduo.api('POST', '/orders/' + self.orderId + '/comments/', {
          data: {
            order: self.orderId, sku: line.sku.id, comment: line.comment,
            score: line.score, is_anonymous: line.is_anonymous
          }
        }).then(function () {
          self.lines = self.lines.filter(function (l) { return l.sku.id !== line.sku.id; });
          meiduo.toast('评价成功', 'success');
        }, function (err) {
          line.sending = false;
          if (!meiduo.handleAuthError(err)) line.error = err.message;
        });
      }
    }
  }).mount('#app');
})();
