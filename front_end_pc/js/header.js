// The top bar and the mini cart of the page header (templates/includes/site_header.html): the member's
// name or the login links, and the cart's pieces from GET /cart/ (a guest's cookie cart or a member's cart).
(function (global) {
  'use strict';

  var meiduo = global.meiduo;
  var SUGGEST_DELAY_MS = 200;

  var header = meiduo.createApp({
    data: function () {
      // cart: null until read, false when it could not be read (no count shown rather than a wrong one).
      // query: the words searched (search.html?q=), kept in the box; suggestions: GET /skus/search/suggest/.
      return {
        loggedIn: meiduo.auth.isLoggedIn(), username: meiduo.auth.username(), cart: null,
        query: (meiduo.queryParam('q') || '').trim(), suggestions: null
      };
    },
    computed: {
      cartCount: function () {
        return (this.cart || []).reduce(function (total, line) { return total + line.count; }, 0);
      }
    },
    methods: {
      logOut: meiduo.logout,
      // Asked once the shopper pauses typing (SUGGEST_DELAY_MS), and only the answer to the latest text is shown.
      suggest: function () {
        var self = this;
        clearTimeout(self.suggestTimer);
        self.suggestTimer = setTimeout(function () {
          var text = self.query.trim();
          if (!text) { self.suggestions = null; return; }
          meiduo.api('GET', '/skus/search/suggest/', { params: { text: text } }).then(function (data) {
            if (self.query.trim() === text) self.suggestions = data;
          }, function () { self.suggestions = null; });
        }, SUGGEST_DELAY_MS);
      },
      refreshCart: function () {
        var self = this;
        return meiduo.api('GET', '/cart/').then(function (lines) { self.cart = lines; }, function () { self.cart = false; });
      }
    },
    mounted: function () { this.refreshCart(); }
  }).mount('#site-header');

  // Pages that change the cart call meiduoMiniCart.refresh().
  global.meiduoMiniCart = { refresh: function () { return header.refreshCart(); } };
})(window);
