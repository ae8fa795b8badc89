// 领券中心: the public coupons still to be had (GET /coupons/), each claimed with one click; a guest logs in first.
(function () {
  'use strict';

  meiduo.createApp({
    data: function () {
      return { loggedIn: meiduo.auth.isLoggedIn(), loading: true, failed: false, coupons: [], busy: null };
    },
    mounted: function () {
      this.load();
    },
    methods: {
      load: function () {
        var self = this;
        return meiduo.api('GET', '/coupons/').then(function (data) {
          self.coupons = data.coupons;
          self.failed = false;
        }, function (err) {
          self.failed = true;
          meiduo.showError(err);
        }).then(function () {
          self.loading = false;
        });
      },
      // A guest can claim whatever is left: the limit is checked once logged in.
      claimLabel: function (coupon) {
        if (coupon.remaining <= 0) return '已领完';
        if (coupon.can_claim) return '立即领取';
        return coupon.claimed ? '已领取' : '不可领取';
      },
      validity: function (coupon) {
        if (coupon.valid_days) return '领取后 ' + coupon.valid_days + ' 天内有效';
        if (coupon.valid_from && coupon.valid_until) return coupon.valid_from + ' 至 ' + coupon.valid_until;
        if (coupon.valid_until) return coupon.valid_until + ' 前有效';
        return coupon.valid_from ? coupon.valid_from + ' 起有效' : '长期有效';
      },
      claim: function (coupon) {
        if (!this.loggedIn) {
          location.href = '/login.html?next=' + encodeURIComponent('/coupon_center.html');
          return;
        }
        var self = this;
        self.busy = coupon.id;
        meiduo.api('POST', '/coupons/' + coupon.id + '/claim/').then(function () {
          coupon.claimed += 1;
          coupon.remaining -= 1;
          coupon.can_claim = coupon.claimed < coupon.per_member_limit && coupon.remaining > 0;
          meiduo.toast('领取成功', 'success');
        }, function (err) {
          if (meiduo.handleAuthError(err)) return;
          meiduo.showError(err);
          // 已领完, 已过期 or gone: the list as the shop has it now.
          return self.load();
        }).then(function () {
          self.busy = null;
        });
      }
    }
  }).mount('#app');
})();
