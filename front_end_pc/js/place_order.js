// Settlement: the selected cart lines, an address, a pay method, then POST /orders/.
(function () {
  'use strict';

  // A 401 here means the login expired; the shopper goes back to the cart after logging in.
  function toLoginFromCart(err) {
    if (err && err.status === 401) {
      meiduo.auth.clear();
      location.href = '/login.html?next=/cart.html';
      return true;
    }
    return false;
  }

  // crypto.randomUUID() exists only on https and localhost pages; getRandomValues everywhere.
  function newIntentKey() {
    return Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)), function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  function cents(value) {
    return Math.round(parseFloat(value) * 100);
  }

  if (!meiduo.requireLogin()) return;

  meiduo.createApp({
    data: function () {
      return {
        loading: true,
        addresses: [],
        defaultAddressId: null,
        nowAddress: null,
        payMethod: '1',
        // One key per visit of the page, sent again by every retry: the shop places one order for it.
        intentKey: newIntentKey(),
        skus: [],
        freight: 0,
        submitting: false
      };
    },
    computed: {
      totalCount: function () {
        return this.skus.reduce(function (n, sku) { return n + sku.count; }, 0);
      },
      // Sums in cents so 0.1 + 0.2 stays 0.30.
      totalAmount: function () {
        return this.skus.reduce(function (n, sku) { return n + cents(sku.price) * sku.count; }, 0) / 100;
      },
      paymentAmount: function () {
        return (Math.round(this.totalAmount * 100) + Math.round(this.freight * 100)) / 100;
      },
      canSubmit: function () {
        return !this.submitting && !this.loading && this.skus.length > 0 && !!this.nowAddress;
      }
    },
    mounted: function () {
      var self = this;
      Promise.all([
        meiduo.api('GET', '/orders/settlement/').then(function (data) {
          self.freight = parseFloat(data.freight);
          self.skus = data.skus;
        }),
        meiduo.api('GET', '/addresses/').then(function (data) {
          self.addresses = data.addresses || [];
          self.defaultAddressId = data.default_address_id;
          var chosen = self.addresses.filter(function (a) { return a.id == data.default_address_id; })[0];
          chosen = chosen || self.addresses[0];
          self.nowAddress = chosen ? chosen.id : null;
        })
      ]).catch(function (err) {
        if (!toLoginFromCart(err)) meiduo.showError(err);
      }).then(function () {
        self.loading = false;
      });
    },
    methods: {
      lineAmount: function (sku) {
        return (cents(sku.price) * sku.count / 100).toFixed(2);
      },
      submit: function () {
        if (!this.nowAddress) {
          alert('请选择收货地址');
          return;
        }
        var self = this;
        self.submitting = true;
        meiduo.api('POST', '/orders/', {
          data: { address: self.nowAddress, pay_method: self.payMethod },
          headers: { 'Idempotency-Key': self.intentKey }
        }).then(function (data) {
          location.href = '/order_success.html?order_id=' + encodeURIComponent(data.order_id) +
            '&amount=' + encodeURIComponent(data.total_amount || self.paymentAmount.toFixed(2)) +
            '&pay=' + encodeURIComponent(self.payMethod);
        }, function (err) {
          self.submitting = false;
          if (toLoginFromCart(err)) return;
          if (err.status === 400 && Array.isArray(err.data)) {
            alert(err.data[0]);
          } else {
            meiduo.showError(err);
          }
        });
      }
    }
  }).mount('#app');
})();
