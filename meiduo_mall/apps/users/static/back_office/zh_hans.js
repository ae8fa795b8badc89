// SimpleBar, which draws unfold's scroll areas, names each area "scrollable content" for screen readers.
// This runs before SimpleBar's own DOMContentLoaded handler (this script is in <head>, SimpleBar's at the end
// of <body>), so the areas it builds then get the Chinese name; areas built earlier are renamed here.
document.addEventListener("DOMContentLoaded", () => {
  const name = "可滚动内容";
  if (window.SimpleBar) {
    window.SimpleBar.defaultOptions.ariaLabel = name;
  }
  for (const area of document.querySelectorAll('[aria-label="scrollable content"]')) {
    area.setAttribute("aria-label", name);
  }
});
