// 收货地址: the member's address book with cascading province / city / district selects.
(function () {
  'use strict';

  var TEL_RE = /^(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?$/;
  var EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  if (!meiduo.requireLogin()) return;

  function emptyForm() {
    return { id: null, title: '', receiver: '', province_id: 0, city_id: 0, district_id: 0,
             place: '', mobile: '', tel: '', email: '' };
  }

  function subsOf(areaId) {
    return meiduo.api('GET', '/areas/' + areaId + '/', { auth: false }).then(function (data) { return data.subs; });
  }

  meiduo.createApp({
    data: function () {
      return {
        loading: true, addresses: [], defaultId: null, limit: 20,
        provinces: [], cities: [], districts: [],
        form: null, errors: {}, saving: false,
        editingTitleId: null, titleInput: ''
      };
    },
    mounted: function () {
      var self = this;
      meiduo.api('GET', '/addresses/').then(function (data) {
        self.addresses = data.addresses;
        self.defaultId = data.default_address_id;
        self.limit = data.limit;
      }, self.fail).then(function () {
        self.loading = false;
      });
      meiduo.api('GET', '/areas/', { auth: false }).then(function (data) {
        self.provinces = data;
      }, self.fail);
    },
    methods: {
      fail: function (err) {
        if (!meiduo.handleAuthError(err)) meiduo.showError(err);
      },
      openForm: function (address) {
        var self = this;
        self.errors = {};
        self.cities = [];
        self.districts = [];
        self.form = Object.assign(emptyForm(), address || {});
        if (!address) return;
        // Editing: fill both lower selects without resetting the stored choice.
        subsOf(address.province_id).then(function (subs) { self.cities = subs; }, self.fail);
        subsOf(address.city_id).then(function (subs) { self.districts = subs; }, self.fail);
      },
      provinceChanged: function () {
        this.form.city_id = 0;
        this.districts = [];
        this.listSubs('province_id', 'cities');
      },
      cityChanged: function () {
        this.listSubs('city_id', 'districts');
      },
      // A new province or city empties the district and lists the chosen area's children into `list`,
      // unless the choice has changed again by the time they arrive.
      listSubs: function (field, list) {
        var self = this;
        var areaId = self.form[field];
        self.form.district_id = 0;
        self[list] = [];
        if (!areaId) return;
        subsOf(areaId).then(function (subs) {
          if (self.form && self.form[field] === areaId) self[list] = subs;
        }, self.fail);
      },
      validate: function () {
        var f = this.form;
        var errors = {};
        if (!f.receiver) errors.receiver = '请填写收货人';
        if (!f.province_id || !f.city_id || !f.district_id) errors.area = '请选择省、市、区县';
        if (!f.place) errors.place = '请填写详细地址';
        if (!meiduo.MOBILE_PATTERN.test(f.mobile)) errors.mobile = '手机号格式错误';
        if (f.tel && !TEL_RE.test(f.tel)) errors.tel = '固定电话格式错误';
        if (f.email && !EMAIL_RE.test(f.email)) errors.email = '邮箱格式错误';
        this.errors = errors;
        return Object.keys(errors).length === 0;
      },
      save: function () {
        var self = this;
        if (!self.validate()) return;
        var f = self.form;
        var body = {
          receiver: f.receiver, title: f.id ? f.title : f.receiver,
          province_id: f.province_id, city_id: f.city_id, district_id: f.district_id,
          place: f.place, mobile: f.mobile, tel: f.tel, email: f.email
        };
        var request = f.id
          ? meiduo.api('PUT', '/addresses/' + f.id + '/', { data: body })
          : meiduo.api('POST', '/addresses/', { data: body });
        self.saving = true;
        request.then(function (saved) {
          var others = self.addresses.filter(function (a) { return a.id !== saved.id; });
          self.addresses = [saved].concat(others);
          // The first address a member saves becomes the default on the server.
          if (!f.id && self.defaultId === null) self.defaultId = saved.id;
          self.form = null;
          meiduo.toast('地址已保存', 'success');
        }, function (err) {
          if (!meiduo.handleAuthError(err)) self.errors = { form: err.message };
        }).then(function () {
          self.saving = false;
        });
      },
      setDefault: function (address) {
        var self = this;
        meiduo.api('PUT', '/addresses/' + address.id + '/status/', { data: {} }).then(function () {
          self.defaultId = address.id;
          meiduo.toast('已设为默认地址', 'success');
        }, self.fail);
      },
      remove: function (address) {
        var self = this;
        if (!window.confirm('确定删除这个收货地址吗？')) return;
        meiduo.api('DELETE', '/addresses/' + address.id + '/').then(function () {
          self.addresses = self.addresses.filter(function (a) { return a.id !== address.id; });
          if (self.defaultId === address.id) self.defaultId = null;
          if (self.form && self.form.id === address.id) self.form = null;
        }, self.fail);
      },
      editTitle: function (address) {
        this.editingTitleId = address.id;
        this.titleInput = address.title;
      },
      saveTitle: function (address) {
        var self = this;
        if (!self.titleInput) {
          meiduo.toast('请填写地址名称');
          return;
        }
        meiduo.api('PUT', '/addresses/' + address.id + '/title/', { data: { title: self.titleInput } })
          .then(function (data) {
            address.title = data.title;
            self.editingTitleId = null;
          }, self.fail);
      }
    }
  }).mount('#app');
})();
