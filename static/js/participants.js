// Participants page: a "select all" checkbox per group (shown only when this script runs).
// It ticks or clears every row of its group and shows "mixed" when only some are ticked.
(function () {
  "use strict";
  function rows(group) {
    return document.querySelectorAll('input[name="registrations"][data-group="' + group + '"]');
  }
  function sync(all) {
    var boxes = rows(all.dataset.selectAll);
    var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var cell = all.closest("th");
      all.hidden = false;
      cell.querySelector("[data-select-all-label]").hidden = false;
      var fallback = cell.querySelector("[data-select-all-fallback]");
      if (fallback) { fallback.remove(); }
      all.addEventListener("change", function () {
        rows(all.dataset.selectAll).forEach(function (box) { box.checked = all.checked; });
        all.indeterminate = false;
      });
      rows(all.dataset.selectAll).forEach(function (box) {
        box.addEventListener("change", function () { sync(all); });
      });
      sync(all);
    });
  });
})();
