// 我的订单: the member's orders, five a page, with the step each status allows.
(function () {
  'use strict';

  var PAGE_SIZE = 5;
  var STATUS_NAMES = { 1: '待支付', 2: '待发货', 3: '待收货', 4: '待评价', 5: '已完成', 6: '已取消' };
  var PAY_METHOD_NAMES = { 1: '货到付款', 2: '支付宝' };
  var ALIPAY = 2;
  var REFUND_FAILED = 4;
  var REFUNDED = 3;

  if (!meiduo.requireLogin()) return;

  meiduo.createApp({
    data: function () {
      return { loading: true, orders: [], count: 0, page: 1, busy: null };
    },
    computed: {
      totalPages: function () {
        return Math.ceil(this.count / PAGE_SIZE);
      }
    },
    mounted: function () {
      this.go(parseInt(meiduo.queryParam('page'), 10) || 1);
    },
    methods: {
      statusName: function (status) { return STATUS_NAMES[status] || ''; },
      payMethodName: function (method) { return PAY_METHOD_NAMES[method] || ''; },
      hasDiscount: function (order) { return parseFloat(order.discount) > 0; },
      // A failed refund is the shop's to settle: the member is told it is being handled, not why it failed.
      refundText: function (refund) {
        if (refund.status === REFUND_FAILED) return '退款失败，客服处理中';
        return (refund.status === REFUNDED ? '已退款 ¥' : '退款中 ¥') + refund.amount;
      },
      // The deadline is Beijing time to the minute; the browser's clock may be in any zone.
      canReturn: function (order) {
        if (!order.return_deadline) return false;
        var deadline = Date.parse(order.return_deadline.replace(' ', 'T') + ':00+08:00');
        return isNaN(deadline) || Date.now() < deadline;
      },
      fail: function (err) {
        if (!meiduo.handleAuthError(err)) meiduo.showError(err);
      },
      go: function (page) {
        var self = this;
        return meiduo.api('GET', '/orders/', { params: { page: page, page_size: PAGE_SIZE } }).then(function (data) {
          self.orders = data.results;
          self.count = data.count;
          self.page = page;
        }, function (err) {
          // A page past the end (orders cancelled meanwhile): show the first one.
          if (err.status === 404 && page > 1) return self.go(1);
          self.fail(err);
        }).then(function () {
          self.loading = false;
        });
      },
      // Runs one status step of an order, then shows the list again as the server has it.
      step: function (order, request, done) {
        var self = this;
        self.busy = order.order_id;
        return request().then(function () {
          meiduo.toast(done, 'success');
          return self.go(self.page);
        }, function (err) {
          self.fail(err);
        }).then(function () {
          self.busy = null;
        });
      },
      pay: function (order) {
        var self = this;
        self.busy = order.order_id;
        meiduoOrders.payOrder(order.order_id).catch(function () { self.busy = null; });
      },
      cancel: function (order) {
        if (!confirm('确定取消订单 ' + order.order_id + ' 吗？')) return;
        this.step(order, function () {
          return meiduo.api('PUT', '/orders/' + order.order_id + '/cancel/');
        }, '订单已取消');
      },
      // Before shipment: an Alipay order is refunded in full, a cash-on-delivery one had nothing paid.
      cancelUnsent: function (order) {
        var paid = order.pay_method === ALIPAY;
        if (!confirm(paid ? '取消后将全额退款至支付宝，确定取消？' : '确定取消订单 ' + order.order_id + ' 吗？')) return;
        this.step(order, function () {
          return meiduo.api('PUT', '/orders/' + order.order_id + '/cancel/');
        }, paid ? '订单已取消，退款将原路退回' : '订单已取消');
      },
      confirmReceipt: function (order) {
        if (!confirm('确认已经收到订单 ' + order.order_id + ' 的商品了吗？')) return;
        this.step(order, function () {
          return meiduo.api('PUT', '/orders/' + order.order_id + '/receipt/');
        }, '已确认收货');
      }
    }
  }).mount('#app');
})();
