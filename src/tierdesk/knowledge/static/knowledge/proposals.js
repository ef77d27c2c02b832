// Making a proposal an article: the body's two headings follow the article's language
// (질문 / 해결 방법 or Question / Resolution) while the writer has not changed them.
(function () {
  "use strict";
  function swap() {
    var form = document.getElementById("article-form");
    if (!form || !form.dataset.headingsKo) return;
    var language = form.querySelector("select[name=language]");
    var body = form.querySelector("textarea[name=body]");
    if (!language || !body) return;
    var headings = { ko: form.dataset.headingsKo.split("|"), en: form.dataset.headingsEn.split("|") };
    language.addEventListener("change", function () {
      var to = headings[language.value];
      if (!to) return;
      Object.keys(headings).forEach(function (code) {
        if (code === language.value) return;
        headings[code].forEach(function (heading, i) {
          body.value = body.value.replace("## " + heading + "\n", "## " + to[i] + "\n");
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", swap);
  else swap();
})();
