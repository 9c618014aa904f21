// The header's search panel (templates/partials/site_search.html): Escape closes it and puts
// the focus back in the field; so does moving the focus or clicking outside the search.
// Without this script the panel stays until the field is cleared.
(function () {
  "use strict";
  function parts() {
    return {
      box: document.querySelector(".site-search"),
      panel: document.getElementById("site-search-panel"),
      field: document.getElementById("site-search-q"),
    };
  }
  function close(panel) {
    if (panel && panel.children.length) { panel.replaceChildren(); }
  }
  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (event.key !== "Escape" || !p.box || !p.box.contains(document.activeElement)) { return; }
    if (p.panel.children.length) {
      close(p.panel);
      p.field.focus();
      event.preventDefault();
    }
  });
  document.addEventListener("focusin", function (event) {
    var p = parts();
    if (p.box && !p.box.contains(event.target)) { close(p.panel); }
  });
  document.addEventListener("click", function (event) {
    var p = parts();
    if (p.box && !p.box.contains(event.target)) { close(p.panel); }
  });
})();
