// 我的优惠券: the member's coupons under 可使用 / 已使用 / 已过期 (GET /coupons/mine/?status=), with each tab's count.
(function () {
  'use strict';

  var TABS = [
    { status: 'usable', name: '可使用' },
    { status: 'used', name: '已使用' },
    { status: 'expired', name: '已过期' }
  ];
  var EMPTY_TEXT = { usable: '没有可使用的优惠券', used: '还没有用过优惠券', expired: '没有过期的优惠券' };

  function tabOf(status) {
    return TABS.some(function (tab) { return tab.status === status; }) ? status : 'usable';
  }

  if (!meiduo.requireLogin()) return;

  meiduo.createApp({
    data: function () {
      return {
        TABS: TABS, status: tabOf(meiduo.queryParam('status')), loading: true, coupons: [],
        counts: { usable: 0, used: 0, expired: 0 }
      };
    },
    computed: {
      emptyText: function () { return EMPTY_TEXT[this.status]; }
    },
    mounted: function () {
      this.load();
    },
    methods: {
      validity: function (coupon) {
        return coupon.valid_from + ' 至 ' + coupon.valid_until;
      },
      show: function (status) {
        this.status = status;
        history.replaceState(null, '', '?status=' + status);
        this.load();
      },
      load: function () {
        var self = this;
        var status = self.status;
        self.loading = true;
        return meiduo.api('GET', '/coupons/mine/', { params: { status: status } }).then(function (data) {
          // A tab left before its answer came keeps the tab the member is on now.
          if (status !== self.status) return;
          self.coupons = data.coupons;
          self.counts = data.counts;
          self.loading = false;
        }, function (err) {
          if (!meiduo.handleAuthError(err)) meiduo.showError(err);
          self.loading = false;
        });
      }
    }
  }).mount('#app');
})();
