// The private link box (issue 19 item 3): copy, share, and a welcome that a reload folds.
(function () {
  "use strict";
  var box = document.getElementById("private-link");
  if (!box) return;
  // Shown right after a join, a claim or a sign-in: the address drops its flag, so a reload
  // (or the history) shows the wrist with its link folded behind a button.
  if (box.hasAttribute("data-welcome") && window.history && history.replaceState) {
    var url = new URL(window.location.href);
    url.searchParams.delete("welcome");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  var field = document.getElementById("private-link-text");
  var status = document.getElementById("private-link-status");
  var copy = document.getElementById("copy-private-link");
  if (field && copy) {
    copy.addEventListener("click", function () {
      var done = function () { status.textContent = copy.dataset.copied; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else { done(); }
    });
  }
  var share = document.getElementById("share-private-link");
  if (field && share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.dataset.title, url: field.value })
        .catch(function () { /* the sheet was closed */ });
    });
  }
})();
