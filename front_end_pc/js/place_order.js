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

  // Counts the settlements asked for, so that only the answer to the latest is shown.
  var settlementsAsked = 0;

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
        // GET /orders/settlement/ for nowAddress: the lines, and the coupons usable on them each priced in full.
        settlement: null,
        // The chosen MemberCoupon id, null for 不使用优惠券; couponPicked is the shopper's own pick (false: none yet).
        couponId: null,
        couponPicked: false,
        // True while the settlement for the address chosen is asked: the figures shown may be another address's.
        settling: false,
        submitting: false
      };
    },
    computed: {
      skus: function () {
        return this.settlement ? this.settlement.skus : [];
      },
      coupons: function () {
        return this.settlement ? this.settlement.coupons : [];
      },
      coupon: function () {
        var id = this.couponId;
        return this.coupons.filter(function (coupon) { return coupon.id === id; })[0] || null;
      },
      totalCount: function () {
        return this.skus.reduce(function (n, sku) { return n + sku.count; }, 0);
      },
      goodsAmount: function () {
        return this.settlement ? this.settlement.goods_amount : '0.00';
      },
      // The server's figures for the chosen coupon: freight can depend on it (free over an amount after it).
      freight: function () {
        if (this.coupon) return this.coupon.freight;
        return this.settlement ? this.settlement.freight : '0.00';
      },
      // Sums in cents so 0.1 + 0.2 stays 0.30.
      paymentAmount: function () {
        if (this.coupon) return this.coupon.total_amount;
        return ((cents(this.goodsAmount) + cents(this.freight)) / 100).toFixed(2);
      },
      freeFreightOver: function () {
        var over = this.settlement && this.settlement.free_freight_over;
        return over ? String(parseFloat(over)) : '';
      },
      canSubmit: function () {
        return !this.submitting && !this.loading && !this.settling && this.skus.length > 0 && !!this.nowAddress;
      }
    },
    mounted: function () {
      var self = this;
      Promise.all([
        self.settle(),
        meiduo.api('GET', '/addresses/').then(function (data) {
          self.addresses = data.addresses || [];
          self.defaultAddressId = data.default_address_id;
          var chosen = self.addresses.filter(function (a) { return a.id == data.default_address_id; })[0];
          chosen = chosen || self.addresses[0];
          self.nowAddress = chosen ? chosen.id : null;
        })
      ]).then(function () {
        // Without a default address the settlement was priced for none; price it for the one chosen.
        if (self.nowAddress && self.settlement && self.settlement.address != self.nowAddress) return self.settle();
      }).catch(self.fail).then(function () {
        self.loading = false;
      });
    },
    methods: {
      fail: function (err) {
        if (!toLoginFromCart(err)) meiduo.showError(err);
      },
      lineAmount: function (sku) {
        return (cents(sku.price) * sku.count / 100).toFixed(2);
      },
      // Freight, and so the best coupon, depend on the address: the settlement is asked again for each one.
      chooseAddress: function () {
        this.settle().catch(this.fail);
      },
      settle: function () {
        var self = this;
        var asked = ++settlementsAsked;
        self.settling = true;
        return meiduo.api('GET', '/orders/settlement/', { params: { address: self.nowAddress } }).then(function (data) {
          if (asked !== settlementsAsked) return;
          self.settling = false;
          self.settlement = data;
          self.chooseCoupon(data);
        }, function (err) {
          if (asked !== settlementsAsked) return;
          self.settling = false;
          throw err;
        });
      },
      // The best coupon, unless the shopper picked another one still offered, or none.
      chooseCoupon: function (data) {
        var picked = this.couponPicked;
        var offered = data.coupons.some(function (coupon) { return coupon.id === picked; });
        this.couponId = picked === null || offered ? picked : data.best_coupon;
      },
      pickCoupon: function (id) {
        this.couponId = this.couponPicked = id;
      },
      submit: function () {
        if (!this.nowAddress) {
          alert('请选择收货地址');
          return;
        }
        var self = this;
        self.submitting = true;
        meiduo.api('POST', '/orders/', {
          data: { address: self.nowAddress, pay_method: self.payMethod, coupon_id: self.couponId },
          headers: { 'Idempotency-Key': self.intentKey }
        }).then(function (data) {
          location.href = '/order_success.html?order_id=' + encodeURIComponent(data.order_id) +
            '&amount=' + encodeURIComponent(data.total_amount) +
            '&pay=' + encodeURIComponent(self.payMethod);
        }, function (err) {
          self.submitting = false;
          if (toLoginFromCart(err)) return;
          if (err.status === 400 && Array.isArray(err.data)) {
            alert(err.data[0]);
            // A coupon used meanwhile, lines changed in another tab: the settlement as it stands now.
            self.settle().catch(self.fail);
          } else {
            meiduo.showError(err);
          }
        });
      }
    }
  }).mount('#app');
})();
