// Order helpers shared by order_success.html and user_center_order.html.
(function (global) {
  'use strict';

  // Ask for the signed Alipay URL of an unpaid order and go there.
  function payOrder(orderId) {
    return meiduo.api('GET', '/orders/' + encodeURIComponent(orderId) + '/payment/').then(function (data) {
      location.href = data.alipay_url;
    }, function (err) {
      if (!meiduo.handleAuthError(err)) meiduo.showError(err);
      throw err;
    });
  }

  global.meiduoOrders = { payOrder: payOrder };
})(window);
