// Copy buttons on a solution's page: <button data-copy="<id of a field>" data-copied="…">.
"use strict";

(function () {
  function copyText(field) {
    const text = field.value !== undefined ? field.value : field.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (a demo on a LAN address): the selection and the old copy command.
    field.focus();
    if (field.select) {
      field.select();
    }
    const done = document.execCommand && document.execCommand("copy");
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    const field = document.getElementById(button.dataset.copy);
    if (!field) {
      return;
    }
    const status = document.getElementById("copy-status");
    const label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    copyText(field)
      .then(function () {
        button.textContent = button.dataset.copied || label;
        if (status) {
          status.textContent = button.dataset.copied || "";
        }
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      })
      .catch(function () {
        // The text stays selected for Ctrl+C.
        field.focus();
        if (field.select) {
          field.select();
        }
      });
  });
})();
