// list.html?cat=<level-3 category id>: breadcrumb, brand and price filters, sorting, pagination and the hot list.
(function () {
  'use strict';

  // Four rows of five: the API's cap on page_size.
  var PAGE_SIZE = 20;
  var PRICE = /^\d{1,8}(\.\d{1,2})?$/;

  meiduo.createApp({
    data: function () {
      return {
        cat: meiduo.queryParam('cat'),
        cat1: null, cat2: '', cat3: '',
        missing: false, loaded: false,
        ordering: '-create_time', page: 1, count: 0, skus: [], hots: [],
        brands: [], brand: null, priceMin: '', priceMax: '', applied: { min: '', max: '' }, filterError: '',
        sorts: [
          { ordering: '-create_time', label: '默认' },
          { ordering: 'price', label: '价格' },
          { ordering: '-sales', label: '人气' }
        ]
      };
    },
    computed: {
      totalPages: function () { return Math.ceil(this.count / PAGE_SIZE); },
      // A name is shown once, at its lowest level (手机 > 手机通讯 > 手机 reads 手机通讯 > 手机), as on the
      // detail page: the category the page lists always ends the trail.
      crumbs: function () {
        var levels = [];
        if (this.cat1) levels.push({ name: this.cat1.category.name, url: this.cat1.url });
        if (this.cat2) levels.push({ name: this.cat2.name, url: this.cat1.url });
        if (this.cat3) levels.push({ name: this.cat3.name, url: '' });
        return levels.filter(function (level, index) {
          return !levels.slice(index + 1).some(function (below) { return below.name === level.name; });
        });
      }
    },
    mounted: function () {
      var self = this;
      if (!/^\d+$/.test(self.cat || '')) {
        self.missing = true;
        return;
      }
      meiduo.api('GET', '/categories/' + self.cat + '/').then(function (data) {
        self.cat1 = data.cat1; self.cat2 = data.cat2; self.cat3 = data.cat3;
        document.title = (data.cat3 ? data.cat3.name : data.cat1.category.name) + ' - 美多商城';
      }, function (err) {
        if (err.status === 404) self.missing = true; else meiduo.showError(err);
      });
      meiduo.api('GET', '/categories/' + self.cat + '/hotskus/').then(function (data) { self.hots = data; }, function () {});
      meiduo.api('GET', '/categories/' + self.cat + '/brands/').then(function (data) { self.brands = data; }, function () {});
      self.load();
    },
    methods: {
      load: function () {
        var self = this;
        var params = { page: self.page, page_size: PAGE_SIZE, ordering: self.ordering };
        if (self.brand) params.brand = self.brand;
        if (self.applied.min) params.price_min = self.applied.min;
        if (self.applied.max) params.price_max = self.applied.max;
        meiduo.api('GET', '/categories/' + self.cat + '/skus/', { params: params }).then(function (data) {
          self.count = data.count;
          self.skus = data.results;
          self.loaded = true;
        }, function (err) {
          if (err.status === 404 && self.page > 1) {
            self.goTo(1);
          } else if (err.status !== 404) {
            meiduo.showError(err);
          }
        });
      },
      sortBy: function (ordering) {
        this.ordering = ordering;
        this.page = 1;
        this.load();
      },
      filterBrand: function (brand) {
        this.brand = brand;
        this.page = 1;
        this.load();
      },
      filterPrice: function () {
        var min = String(this.priceMin).trim(), max = String(this.priceMax).trim();
        if ((min && !PRICE.test(min)) || (max && !PRICE.test(max))) {
          this.filterError = '请输入有效的价格';
          return;
        }
        if (min && max && Number(min) > Number(max)) {
          this.filterError = '最低价不能高于最高价';
          return;
        }
        this.filterError = '';
        this.applied = { min: min, max: max };
        this.page = 1;
        this.load();
      },
      clearPrice: function () {
        this.priceMin = ''; this.priceMax = '';
        this.filterPrice();
      },
      goTo: function (page) {
        this.page = page;
        this.load();
        window.scrollTo(0, 0);
      }
    }
  }).mount('#app');
})();
