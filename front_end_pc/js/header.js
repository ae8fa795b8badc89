// The top bar and the mini cart of the page header (templates/includes/site_header.html): the member's
// name or the login links, and the cart's pieces from GET /cart/ (a guest's cookie cart or a member's cart).
(function (global) {
  'use strict';

  var meiduo = global.meiduo;

  var header = meiduo.createApp({
    data: function () {
      // cart: null until read, false when it could not be read (no count shown rather than a wrong one).
      return { loggedIn: meiduo.auth.isLoggedIn(), username: meiduo.auth.username(), cart: null };
    },
    computed: {
      cartCount: function () {
        return (this.cart || []).reduce(function (total, line) { return total + line.count; }, 0);
      }
    },
    methods: {
      logOut: meiduo.logout,
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
