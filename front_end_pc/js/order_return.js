// 申请退货: the lines of a received order the member may still return, a reason, a description and up to
// three photos, sent as one multipart form.
(function () {
  'use strict';

  var NO_REASON = 1;
  var MAX_PHOTOS = 3;
  var MAX_PHOTO_BYTES = 5 * 1024 * 1024;
  var PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

  if (!meiduo.requireLogin()) return;

  // A data: URL, not a blob: one: the pages' Content-Security-Policy lets images come from data: only.
  function readAsDataUrl(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  meiduo.createApp({
    data: function () {
      return {
        NO_REASON: NO_REASON, MAX_PHOTOS: MAX_PHOTOS,
        orderId: meiduo.queryParam('order_id') || '', loading: true, message: '',
        deadline: '', reasons: [], lines: [], reason: '', description: '', photos: [], error: '', sending: false
      };
    },
    computed: {
      chosenLines: function () {
        return this.lines.filter(function (line) { return line.chosen; });
      },
      noReasonRefused: function () {
        return this.chosenLines.some(function (line) { return !line.returnable; });
      }
    },
    watch: {
      noReasonRefused: function (refused) {
        if (refused && this.reason === NO_REASON) this.reason = '';
      }
    },
    mounted: function () {
      var self = this;
      if (!/^\d+$/.test(self.orderId)) {
        self.loading = false;
        self.message = '订单号有误';
        return;
      }
      meiduo.api('GET', '/orders/' + self.orderId + '/returnable/').then(function (data) {
        self.deadline = data.deadline;
        self.reasons = data.reasons;
        self.lines = data.lines.map(function (line) {
          return Object.assign({}, line, { chosen: false, count: line.remaining ? 1 : 0 });
        });
      }, function (err) {
        if (meiduo.handleAuthError(err)) return;
        self.message = err.status === 404 ? '订单不存在' : err.message;
      }).then(function () {
        self.loading = false;
      });
    },
    methods: {
      addPhotos: function (event) {
        var self = this;
        var files = Array.prototype.slice.call(event.target.files);
        event.target.value = '';
        self.error = '';
        files.forEach(function (file) {
          if (self.photos.length >= MAX_PHOTOS) {
            self.error = '最多上传3张照片';
          } else if (PHOTO_TYPES.indexOf(file.type) < 0) {
            self.error = '照片只能是jpg、png或webp格式';
          } else if (file.size > MAX_PHOTO_BYTES) {
            self.error = '每张照片不能超过5MB';
          } else {
            var photo = { file: Vue.markRaw(file), url: '' };
            self.photos.push(photo);
            readAsDataUrl(file).then(function (url) {
              self.photos.forEach(function (p) { if (p.file === photo.file) p.url = url; });
            });
          }
        });
      },
      removePhoto: function (index) {
        this.photos.splice(index, 1);
        this.error = '';
      },
      // The same rules the API checks, so most mistakes are shown before anything is sent.
      problem: function () {
        if (!this.chosenLines.length) return '请选择要退货的商品';
        var badCount = this.chosenLines.some(function (line) {
          return !Number.isInteger(line.count) || line.count < 1 || line.count > line.remaining;
        });
        if (badCount) return '退货数量有误';
        if (!this.reason) return '请选择退货原因';
        if (this.reason === NO_REASON && this.noReasonRefused) return '该商品不支持7天无理由退货';
        if (this.description.length > 500) return '问题描述不能超过500字';
        return '';
      },
      submit: function () {
        var self = this;
        self.error = self.problem();
        if (self.error) return;
        var form = new FormData();
        form.append('lines', JSON.stringify(self.chosenLines.map(function (line) {
          return { order_goods: line.id, count: line.count };
        })));
        form.append('reason', String(self.reason));
        form.append('description', self.description);
        self.photos.forEach(function (photo) { form.append('photos', photo.file); });
        self.sending = true;
        meiduo.api('POST', '/orders/' + self.orderId + '/returns/', { form: form }).then(function (data) {
          location.href = '/user_center_return.html?id=' + data.id;
        }, function (err) {
          self.sending = false;
          if (!meiduo.handleAuthError(err)) self.error = err.message;
        });
      }
    }
  }).mount('#app');
})();
