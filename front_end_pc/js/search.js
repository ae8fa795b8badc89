// search.html?q=<words>: results of GET /skus/search/ with pagination.
var PAGE_SIZE = 6;

meiduo.createApp({
  data: function () {
    return { query: (meiduo.queryParam('q') || '').trim(), page: 1, count: 0, skus: [], loading: false };
  },
  computed: {
    pages: function () { return Math.ceil(this.count / PAGE_SIZE); }
  },
  mounted: function () {
    if (this.query) this.load();
  },
  methods: {
    load: function () {
      var self = this;
      self.loading = true;
      meiduo.api('GET', '/skus/search/', { params: { text: self.query, page: self.page, page_size: PAGE_SIZE } })
        .then(function (data) {
          self.count = data.count;
          self.skus = data.results;
        })
        .catch(function (err) {
          self.count = 0;
          self.skus = [];
          if (err.status !== 404) meiduo.showError(err);
        })
        .then(function () { self.loading = false; });
    },
    go: function (n) {
      this.page = n;
      this.load();
      window.scrollTo(0, 0);
    }
  }
}).mount('#app');
