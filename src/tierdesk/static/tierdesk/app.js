// tierdesk's own script: loaded from a file, because the Content-Security-Policy allows no
// inline script. Every page works without it (the <noscript> buttons).
"use strict";

// <select data-submit-on-change>: choosing an option submits its form (the language switch).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change") && field.form) {
    field.form.requestSubmit();
  }
});
