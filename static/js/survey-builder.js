// The builder's question form shows only the fields the chosen type uses. Without JavaScript
// every field shows and the service ignores what the type does not use. A field with an error
// always stays visible.
(function () {
  "use strict";
  var form = document.querySelector("form[data-question-form]");
  if (!form) {
    return;
  }
  var type = form.querySelector("select[name=type]");
  var scaled = ["scale", "matrix"];
  var uses = {
    options: ["single", "multiple"],
    rows: ["matrix"],
    scale_max: scaled,
    low_label: scaled,
    low_label_en: scaled,
    high_label: scaled,
    high_label_en: scaled,
    min_value: ["number"],
    max_value: ["number"],
    max_length: ["short_text", "long_text"]
  };
  function update() {
    Object.keys(uses).forEach(function (name) {
      var input = form.querySelector("[name=" + name + "]");
      var wrapper = input && input.closest(".field");
      if (!wrapper) {
        return;
      }
      var shown = uses[name].indexOf(type.value) !== -1 || wrapper.classList.contains("field-error");
      wrapper.style.display = shown ? "" : "none";
    });
  }
  if (type) {
    type.addEventListener("change", update);
    update();
  }
})();
