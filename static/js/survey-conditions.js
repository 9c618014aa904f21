// Survey form: shows a question or section only while the earlier answer it depends on has the
// value it names (data-show-if = the earlier question's code, data-show-value = the value).
// Hidden inputs are disabled, so they are not sent; the server evaluates the same conditions
// and drops answers to hidden questions, so the form works the same without this script.
(function () {
  "use strict";
  function valuesOf(form, code) {
    var values = [];
    // A matrix question's rows are named "<code>__<row>": any row's point counts, as on the server.
    form.querySelectorAll('[name="' + code + '"], [name^="' + code + '__"]').forEach(function (input) {
      if (input.disabled) { return; }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { values.push(input.value); }
      } else if (input.value !== "") {
        values.push(input.value.trim());
      }
    });
    return values;
  }
  function update(form) {
    // Document order: an earlier hidden question disables its inputs before later ones read it.
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var values = valuesOf(form, block.dataset.showIf);
      var wanted = block.dataset.showValue;
      var show = values.some(function (value) {
        return value === wanted || (value !== "" && !isNaN(value) && Number(value) === Number(wanted));
      });
      block.hidden = !show;
      block.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !show;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.survey-form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) { return; }
      form.classList.add("survey-form-live");
      update(form);
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
