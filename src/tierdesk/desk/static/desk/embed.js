// The embedded form: says at once when screenshots will be refused (too many, too big,
// not an image) so nothing typed is lost to a round trip, and sends the form only once.
"use strict";
(function () {
  var form = document.querySelector("form.request-form[data-max-files]");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var problems = document.getElementById("screenshot-problems");
  var maxFiles = parseInt(form.dataset.maxFiles, 10) || 3;
  var maxBytes = (parseInt(form.dataset.maxMb, 10) || 5) * 1024 * 1024;
  var types = ["image/png", "image/jpeg", "image/webp", "image/gif"];

  function check() {
    if (!input || !problems) return true;
    var found = [];
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > maxFiles) found.push(form.dataset.msgCount);
    files.forEach(function (file) {
      if (types.indexOf(file.type) < 0) found.push(form.dataset.msgType.replace("{name}", file.name));
      else if (file.size > maxBytes) found.push(form.dataset.msgSize.replace("{name}", file.name));
    });
    problems.textContent = found.join(" ");
    input.setAttribute("aria-invalid", found.length ? "true" : "false");
    return found.length === 0;
  }

  if (input) input.addEventListener("change", check);
  form.addEventListener("submit", function (event) {
    if (!check()) {
      event.preventDefault();
      input.focus();
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("aria-disabled", "true");
      button.textContent = form.dataset.msgSending;
    }
  });
})();
