// soulmark: the light or dark choice kept on this device, set on <html> before the page is
// drawn (this file loads without defer, so there is no flash of the other theme).  The
// switch in the header flips it; "auto" (nothing kept) follows the device.
(function () {
  "use strict";
  var root = document.documentElement;
  // Scripts run here: the theme switch takes its place in the header's first layout (the
  // stylesheet shows it for data-js), rather than appearing later and pushing the page down.
  root.dataset.js = "1";
  var kept = null;
  try { kept = localStorage.getItem("sm_theme"); } catch (e) { kept = null; }
  if (kept === "light" || kept === "dark") root.dataset.theme = kept;
  // The drawn wrist's skin tone too, so the drawing never shows another one first.
  try { kept = localStorage.getItem("sm_skin"); } catch (e) { kept = null; }
  if (kept) root.dataset.skin = kept;
  // And whether this phone can buzz: the "vibrate gently" choice takes its place in the first
  // layout, rather than being unhidden later and pushing the rest of the page down.
  if (navigator.vibrate) root.dataset.buzz = "1";

  function current() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme");
    if (!button) return;
    function show() {
      button.setAttribute("aria-pressed", current() === "dark" ? "true" : "false");
    }
    show();
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("sm_theme", next); } catch (e) { /* private mode: this page only */ }
      show();
    });
  });
})();
