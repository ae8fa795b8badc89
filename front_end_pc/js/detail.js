// SKU detail page (generated; the page defines the globals price, cat and sku_id).
(function () {
  'use strict';

  function bindGallery() {
    var main = document.getElementById('main-image');
    document.querySelectorAll('.gallery .thumbs img').forEach(function (thumb) {
      thumb.addEventListener('mouseenter', function () { main.src = thumb.src; });
    });
  }

  meiduo.createApp({
    data: function () {
      return { count: 1, adding: false, tab: 'detail', comments: null, hots: [] };
    },
    computed: {
      total: function () {
        var count = parseInt(this.count, 10);
        return (parseFloat(price) * (count > 0 ? count : 0)).toFixed(2);
      }
    },
    mounted: function () {
      var self = this;
      bindGallery();
      meiduo.api('GET', '/categories/' + cat + '/hotskus/').then(function (data) { self.hots = data; }, function () {});
      if (meiduo.auth.isLoggedIn()) {
        meiduo.api('POST', '/browse_histories/', { data: { sku_id: sku_id } }).catch(function () {});
      }
    },
    methods: {
      changeCount: function (step) {
        var count = (parseInt(this.count, 10) || 1) + step;
        this.count = count < 1 ? 1 : count;
      },
      addToCart: function () {
        var self = this;
        var count = parseInt(self.count, 10);
        if (!(count > 0)) {
          meiduo.toast('请输入正确的数量');
          return;
        }
        self.adding = true;
        meiduo.api('POST', '/cart/', { data: { sku_id: sku_id, count: count } }).then(function () {
          meiduo.toast('已加入购物车', 'success');
          if (window.meiduoMiniCart) window.meiduoMiniCart.refresh();
        }, meiduo.showError).then(function () { self.adding = false; });
      },
      showTab: function (name) {
        var self = this;
        self.tab = name;
        if (name === 'comments' && self.comments === null) {
          meiduo.api('GET', '/skus/' + sku_id + '/comments/').then(function (data) {
            self.comments = Array.isArray(data) ? data : [];
          }, function () { self.comments = []; });
        }
      }
    }
  }).mount('#app');
})();
