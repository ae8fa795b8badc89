// 退货/售后: the member's returns, five a page, or one return (?id=) with its progress; a return waiting for
// the parcel takes the carrier and tracking number here.
(function () {
  'use strict';

  var PAGE_SIZE = 5;
  var SENT_BACK_AWAITED = 2;
  var OTHER = '其他';
  // The carriers the back office ships with; anything else is typed in under 其他.
  var CARRIERS = ['顺丰速运', '中通快递', '圆通速递', '韵达快递', '申通快递', '京东物流', 'EMS', '邮政快递包裹'];
  // The rule the back office checks for its own tracking numbers.
  var TRACKING_NUMBER = /^[A-Za-z0-9-]+$/;

  if (!meiduo.requireLogin()) return;

  meiduo.createApp({
    data: function () {
      return {
        SENT_BACK_AWAITED: SENT_BACK_AWAITED, OTHER: OTHER, CARRIERS: CARRIERS,
        returnId: meiduo.queryParam('id') || '', loading: true, message: '',
        returns: [], count: 0, page: 1,
        detail: null, carrier: '', otherCarrier: '', trackingNumber: '', error: '', sending: false
      };
    },
    computed: {
      totalPages: function () {
        return Math.ceil(this.count / PAGE_SIZE);
      }
    },
    mounted: function () {
      if (this.returnId) this.load();
      else this.go(parseInt(meiduo.queryParam('page'), 10) || 1);
    },
    methods: {
      fail: function (err) {
        if (!meiduo.handleAuthError(err)) meiduo.showError(err);
      },
      go: function (page) {
        var self = this;
        return meiduo.api('GET', '/returns/', { params: { page: page, page_size: PAGE_SIZE } }).then(function (data) {
          self.returns = data.results;
          self.count = data.count;
          self.page = page;
        }, function (err) {
          if (err.status === 404 && page > 1) return self.go(1);
          self.fail(err);
        }).then(function () {
          self.loading = false;
        });
      },
      load: function () {
        var self = this;
        if (!/^\d+$/.test(self.returnId)) {
          self.loading = false;
          self.message = '退货申请不存在';
          return;
        }
        meiduo.api('GET', '/returns/' + self.returnId + '/').then(function (data) {
          self.detail = data;
        }, function (err) {
          if (meiduo.handleAuthError(err)) return;
          self.message = err.status === 404 ? '退货申请不存在' : err.message;
        }).then(function () {
          self.loading = false;
        });
      },
      sendBack: function () {
        var self = this;
        var carrier = self.carrier === OTHER ? self.otherCarrier : self.carrier;
        if (!carrier) {
          self.error = '请选择快递公司';
        } else if (!self.trackingNumber) {
          self.error = '请填写快递单号';
        } else if (!TRACKING_NUMBER.test(self.trackingNumber)) {
          self.error = '快递单号只能包含字母、数字和“-”';
        } else if (self.trackingNumber.length < 6) {
          self.error = '快递单号至少 6 位';
        } else {
          self.error = '';
        }
        if (self.error) return;
        self.sending = true;
        meiduo.api('PUT', '/returns/' + self.detail.id + '/shipment/', {
          data: { carrier: carrier, tracking_number: self.trackingNumber }
        }).then(function (data) {
          self.detail = data;
          meiduo.toast('快递信息已提交', 'success');
        }, function (err) {
          if (!meiduo.handleAuthError(err)) self.error = err.message;
        }).then(function () {
          self.sending = false;
        });
      }
    }
  }).mount('#app');
})();
