// The order is placed: show its number and amount; Alipay orders can be paid from here.
meiduo.createApp({
  data: function () {
    return {
      orderId: meiduo.queryParam('order_id') || '',
      amount: meiduo.queryParam('amount') || '',
      pay: meiduo.queryParam('pay') || '1',
      paying: false
    };
  },
  methods: {
    goPay: function () {
      var self = this;
      self.paying = true;
      meiduoOrders.payOrder(self.orderId).catch(function () {
        self.paying = false;
      });
    }
  }
}).mount('#app');
