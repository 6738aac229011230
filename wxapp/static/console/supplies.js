// The ledger's forms. A USB barcode scanner types the batch number and then Enter; in a
// field marked data-scan-field that Enter moves on to the next field instead of sending a
// half-filled form. ES2017 at most: office PCs run about Chrome 90.
(function () {
  "use strict";

  function nextField(field) {
    var fields = Array.prototype.filter.call(field.form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0;
    });
    return fields[fields.indexOf(field) + 1];
  }

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.hasAttribute || !field.hasAttribute("data-scan-field")) {
      return;
    }
    event.preventDefault();
    var next = nextField(field);
    if (next) {
      next.focus();
    }
  });
})();
