// The cart page (docs/api.md K1–K5): quantities, selection, removal and the selected total.
(function () {
  'use strict';

  var MAX_LINE_COUNT = 200;

  // Money is summed in fen: adding float yuan would show totals such as 0.30000000000000004.
  function fen(price) {
    return Math.round(parseFloat(price) * 100);
  }

  function yuan(amountInFen) {
    return (amountInFen / 100).toFixed(2);
  }

  function refreshMiniCart() {
    if (window.meiduoMiniCart) window.meiduoMiniCart.refresh();
  }

  meiduo.createApp({
    data: function () {
      return { lines: [], loading: true, failed: false, busy: false, maxCount: MAX_LINE_COUNT };
    },
    computed: {
      totalCount: function () {
        return this.lines.reduce(function (sum, line) { return sum + line.count; }, 0);
      },
      selectedLines: function () {
        return this.lines.filter(function (line) { return line.selected; });
      },
      selectedCount: function () {
        return this.selectedLines.reduce(function (sum, line) { return sum + line.count; }, 0);
      },
      selectedAmount: function () {
        return yuan(this.selectedLines.reduce(function (sum, line) { return sum + fen(line.price) * line.count; }, 0));
      },
      allSelected: function () {
        return this.lines.length > 0 && this.selectedLines.length === this.lines.length;
      }
    },
    mounted: function () {
      var self = this;
      meiduo.api('GET', '/cart/').then(function (lines) {
        self.lines = lines.map(function (line) {
          return Object.assign({}, line, { input: String(line.count), saving: false });
        });
      }, function () {
        self.failed = true;
      }).then(function () { self.loading = false; });
    },
    methods: {
      amount: function (line) {
        return yuan(fen(line.price) * line.count);
      },
      // Writes the line's count and selection; the page shows the server's answer, so a refused
      // change leaves the line (and its checkbox, whose click was prevented) as it was.
      update: function (line, count, selected) {
        line.saving = true;
        meiduo.api('PUT', '/cart/', { data: { sku_id: line.id, count: count, selected: selected } }).then(function (data) {
          line.count = data.count;
          line.selected = data.selected;
          refreshMiniCart();
        }, meiduo.showError).then(function () {
          line.input = String(line.count);
          line.saving = false;
        });
      },
      typed: function (line) {
        var text = String(line.input).trim();
        var count = /^\d+$/.test(text) ? parseInt(text, 10) : NaN;
        if (!(count >= 1 && count <= MAX_LINE_COUNT)) {
          meiduo.toast('请输入1到' + MAX_LINE_COUNT + '之间的数量');
          line.input = String(line.count);
          return;
        }
        if (count !== line.count) this.update(line, count, line.selected);
      },
      remove: function (line) {
        var self = this;
        if (line.saving) return;
        line.saving = true;
        meiduo.api('DELETE', '/cart/', { data: { sku_id: line.id } }).then(function () {
          self.lines = self.lines.filter(function (other) { return other.id !== line.id; });
          refreshMiniCart();
        }, function (err) {
          line.saving = false;
          meiduo.showError(err);
        });
      },
      selectAll: function (selected) {
        var self = this;
        self.busy = true;
        meiduo.api('PUT', '/cart/selection/', { data: { selected: selected } }).then(function () {
          self.lines.forEach(function (line) { line.selected = selected; });
        }, meiduo.showError).then(function () { self.busy = false; });
      },
      settle: function () {
        if (!this.selectedLines.length) {
          meiduo.toast('请勾选要结算的商品');
          return;
        }
        // Settlement reads the member's cart: a guest logs in first, which merges this cart.
        if (!meiduo.auth.isLoggedIn()) {
          location.href = '/login.html?next=' + encodeURIComponent('/cart.html');
          return;
        }
        location.href = '/place_order.html';
      }
    }
  }).mount('#app');
})();
