// Who is logged in: the JWT and the member's id and name, kept in sessionStorage or, with 记住登录,
// in localStorage. Loaded first: the API client reads the token from here.
(function (global) {
  'use strict';

  var meiduo = global.meiduo = global.meiduo || {};

  function storageGet(key) {
    return sessionStorage.getItem(key) || localStorage.getItem(key) || '';
  }

  var auth = {
    token: function () { return storageGet('token'); },
    userId: function () { return storageGet('user_id'); },
    username: function () { return storageGet('username'); },
    isLoggedIn: function () { return !!(storageGet('token') && storageGet('user_id')); },
    // remember=true keeps the login in localStorage (survives the browser), else sessionStorage.
    save: function (data, remember) {
      var keep = remember ? localStorage : sessionStorage;
      sessionStorage.clear();
      localStorage.removeItem('token');
      localStorage.removeItem('user_id');
      localStorage.removeItem('username');
      keep.setItem('token', data.token);
      keep.setItem('user_id', data.user_id !== undefined ? data.user_id : data.id);
      keep.setItem('username', data.username);
    },
    clear: function () {
      ['token', 'user_id', 'username'].forEach(function (k) {
        sessionStorage.removeItem(k);
        localStorage.removeItem(k);
      });
    }
  };

  function goToLogin() {
    location.href = '/login.html?next=' + encodeURIComponent(location.pathname + location.search);
  }

  function logout() {
    auth.clear();
    location.href = '/login.html';
  }

  // Pages that need a member call this first: no token → the login page, then back here.
  function requireLogin() {
    if (!auth.isLoggedIn()) {
      goToLogin();
      return false;
    }
    return true;
  }

  // An API answer of 401/403 on a member page means the login has expired.
  function handleAuthError(err) {
    if (err && (err.status === 401 || err.status === 403)) {
      auth.clear();
      goToLogin();
      return true;
    }
    return false;
  }

  meiduo.auth = auth;
  meiduo.logout = logout;
  meiduo.requireLogin = requireLogin;
  meiduo.handleAuthError = handleAuthError;
})(window);
