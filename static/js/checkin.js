// Check-in list: typing in the find field hides the rows that do not match, at once.
// Without JavaScript the field is sent as ?q= and the server filters the same way
// (workshops.lifecycle.selectors.matching_names: lower case, accents ignored, every word).
(function () {
  "use strict";

  function fold(text) {
    return text.toLocaleLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function setUp(form) {
    var input = form.querySelector("input[name=q]");
    var list = document.getElementById("checkin-list");
    if (!input || !list) {
      return;
    }
    var rows = Array.prototype.slice.call(list.querySelectorAll("[data-search]"));
    var status = document.querySelector("[data-checkin-shown]");
    var noMatch = document.querySelector("[data-checkin-no-match]");

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      if (noMatch) {
        noMatch.hidden = shown !== 0;
      }
      if (status) {
        var key = shown === 0 ? "data-none" : shown === 1 ? "data-one" : "data-many";
        status.textContent = status.getAttribute(key).replace("__COUNT__", String(shown));
      }
    }

    input.addEventListener("input", apply);
    form.addEventListener("submit", function (event) {
      // The rows are all on the page: filtering needs no round trip.
      event.preventDefault();
      apply();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-checkin-find]"), setUp);
  });
})();
