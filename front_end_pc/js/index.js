// Home page (generated from templates/index.html): carousel and floor tabs.
(function () {
  'use strict';

  function startCarousel(root) {
    var slides = root.querySelectorAll('.slide');
    var dots = root.querySelectorAll('.dot');
    if (!slides.length) return;
    var current = 0;
    var timer = null;

    function show(index) {
      current = (index + slides.length) % slides.length;
      slides.forEach(function (s, i) { s.classList.toggle('active', i === current); });
      dots.forEach(function (d, i) { d.classList.toggle('active', i === current); });
    }
    function restart() {
      clearInterval(timer);
      timer = setInterval(function () { show(current + 1); }, 4000);
    }
    dots.forEach(function (dot, i) {
      dot.addEventListener('click', function () { show(i); restart(); });
    });
    root.querySelector('.carousel-prev').addEventListener('click', function () { show(current - 1); restart(); });
    root.querySelector('.carousel-next').addEventListener('click', function () { show(current + 1); restart(); });
    root.addEventListener('mouseenter', function () { clearInterval(timer); });
    root.addEventListener('mouseleave', restart);
    restart();
  }

  function bindFloorTabs(floor) {
    floor.querySelectorAll('.floor-tab').forEach(function (tab) {
      tab.addEventListener('click', function (e) {
        e.preventDefault();
        var key = tab.getAttribute('data-panel');
        floor.querySelectorAll('.floor-tab').forEach(function (t) { t.classList.toggle('active', t === tab); });
        floor.querySelectorAll('.floor-panel').forEach(function (p) {
          p.classList.toggle('active', p.getAttribute('data-panel') === key);
        });
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var carousel = document.getElementById('carousel');
    if (carousel) startCarousel(carousel);
    document.querySelectorAll('.floor').forEach(bindFloorTabs);
  });
})();
