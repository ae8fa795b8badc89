// list.html?cat=<level-3 category id>: breadcrumb, sorting, pagination and the hot list.
(function () {
  'use strict';

  var PAGE_SIZE = 5;

  meiduo.createApp({
    data: function () {
      return {
        cat: meiduo.queryParam('cat'),
        cat1: null, cat2: '', cat3: '',
        missing: false, loaded: false,
        ordering: '-create_time', page: 1, count: 0, skus: [], hots: [],
        sorts: [
          { ordering: '-create_time', label: '默认' },
          { ordering: 'price', label: '价格' },
          { ordering: '-sales', label: '人气' }
        ]
      };
    },
    computed: {
      totalPages: function () { return Math.ceil(this.count / PAGE_SIZE); }
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
      self.load();
    },
    methods: {
      load: function () {
        var self = this;
        var params = { page: self.page, page_size: PAGE_SIZE, ordering: self.ordering };
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
      goTo: function (page) {
        this.page = page;
        this.load();
        window.scrollTo(0, 0);
      }
    }
  }).mount('#app');
})();
