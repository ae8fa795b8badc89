// The API client: every call of the pages goes through meiduo.api, which sends the member's JWT
// (session.js) and turns an error answer into an ApiError with one readable message.
(function (global) {
  'use strict';

  var meiduo = global.meiduo = global.meiduo || {};

  function ApiError(status, data) {
    this.status = status;
    this.data = data;
    this.message = errorMessage(data, status);
  }

  // The first readable message of an error body: its message, else the first field error.
  function errorMessage(data, status) {
    if (status === 0) return '网络异常，请稍后重试';
    if (data) {
      if (Array.isArray(data) && data.length) return String(data[0]);
      if (typeof data === 'object') {
        if (data.message) return data.message;
        if (data.non_field_errors) return data.non_field_errors[0];
        if (data.detail) return data.detail;
        for (var key in data) {
          var v = data[key];
          if (Array.isArray(v) && v.length) return v[0];
          if (typeof v === 'string') return v;
        }
      }
      if (typeof data === 'string' && data.length < 200) return data;
    }
    if (status >= 500) return '服务器错误，请稍后重试';
    return '请求有误';
  }

  function buildQuery(params) {
    if (!params) return '';
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== undefined && params[k] !== null && params[k] !== '') {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(params[k]));
      }
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  // api('GET', '/user/', {params, data, form, auth, headers}) → Promise of the parsed body.
  // Sends `Authorization: JWT <token>` whenever a token is stored (unless auth: false); rejects with ApiError.
  function api(method, path, options) {
    options = options || {};
    var headers = Object.assign({ 'Accept': 'application/json' }, options.headers);
    var token = meiduo.auth.token();
    if (token && options.auth !== false) headers['Authorization'] = 'JWT ' + token;
    var init = { method: method, headers: headers, credentials: 'include' };
    if (options.data !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.data);
    }
    // A FormData (files) goes as multipart: the browser writes the Content-Type with its boundary.
    if (options.form !== undefined) init.body = options.form;
    return fetch(host + path + buildQuery(options.params), init).then(function (resp) {
      var type = resp.headers.get('Content-Type') || '';
      var body = type.indexOf('application/json') >= 0 ? resp.json() : resp.text();
      return body.then(function (data) {
        if (resp.ok) return data;
        throw new ApiError(resp.status, data);
      });
    }, function () {
      throw new ApiError(0, null);
    });
  }

  meiduo.api = api;
  meiduo.ApiError = ApiError;
  meiduo.errorMessage = errorMessage;
})(window);
