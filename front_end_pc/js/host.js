// The API origin. The demo and the tests serve the pages and the API from one origin;
// a deployment with pages on www.* and the API on api.* sets it here, e.g.
// var host = 'http://api.meiduo.site:8000';
var host = window.location.origin;
