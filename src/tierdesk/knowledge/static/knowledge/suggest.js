/* Articles that may help, while a request is typed (knowledge/_suggest_panel.html).
   Watches the form's subject and description (300 ms after the last key, 2 characters at
   least), asks GET data-suggest-url for an HTML fragment rendered and escaped by the
   server, keeps the ids shown in the hidden kb_shown input, and posts "this solved it". */
(function () {
  "use strict";
  function setup(panel) {
    var form = panel.closest("form");
    if (!form) { return; }
    var body = panel.querySelector(".kb-suggestions-body");
    var shownInput = panel.querySelector("input[name=kb_shown]");
    var fields = ["subject", "description"].map(function (n) {
      return form.querySelector("[name=" + n + "]");
    }).filter(Boolean);
    var timer = null;
    var seq = 0;
    var shown = [];
    function text() {
      return fields.map(function (f) { return f.value; }).join(" ").trim();
    }
    function remember(list) {
      (list.getAttribute("data-shown") || "").split(",").forEach(function (id) {
        if (id && shown.indexOf(id) < 0) { shown.push(id); }
      });
      shownInput.value = shown.join(",");
    }
    function ask() {
      var words = text();
      var mine = ++seq;
      if (words.length < 2) { body.textContent = ""; panel.hidden = true; return; }
      var url = panel.getAttribute("data-suggest-url") + "?" + new URLSearchParams({
        text: words.slice(0, 2000), embed: panel.getAttribute("data-embed") || ""
      }).toString();
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (mine !== seq) { return; }
          body.innerHTML = html;  // the server's fragment: every typed or stored text escaped
          var list = body.querySelector(".kb-suggest-list");
          panel.hidden = !list;
          if (list) { remember(list); }
        })
        .catch(function () { /* suggestions are a help, never in the way */ });
    }
    fields.forEach(function (f) {
      f.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(ask, 300);
      });
    });
    body.addEventListener("click", function (event) {
      var button = event.target.closest("button.kb-solved");
      if (!button) { return; }
      var list = body.querySelector(".kb-suggest-list");
      var token = list ? list.getAttribute("data-token") : "";
      var data = new FormData();
      data.append("article", button.getAttribute("data-article"));
      data.append("text", text().slice(0, 200));
      data.append("embed", panel.getAttribute("data-embed") || "");
      button.disabled = true;
      // Signed in: the portal's endpoint with the CSRF token. Not signed in on the
      // embedded form (framed by another site: no cookies): the signed token instead.
      var request = token ? {
        url: list.getAttribute("data-solved-url"),
        init: { method: "POST", credentials: "omit", body: data }
      } : {
        url: panel.getAttribute("data-solved-url"),
        init: {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": list ? list.getAttribute("data-csrf") : "" },
          body: data
        }
      };
      if (token) { data.append("token", token); }
      fetch(request.url, request.init).then(function (r) {
        return r.text().then(function (html) {
          if (r.ok) { seq++; clearTimeout(timer); body.innerHTML = html; return; }
          button.disabled = false;
          if (r.status === 400 || r.status === 429) {
            var note = body.querySelector(".kb-solved-error") || document.createElement("p");
            note.className = "kb-solved-error";
            note.setAttribute("role", "alert");
            note.textContent = html.slice(0, 300);  // the server's plain-text reason
            button.parentNode.appendChild(note);
          }
        });
      }).catch(function () { button.disabled = false; });
    });
    if (text().length >= 2) { ask(); }
  }
  document.querySelectorAll("section.kb-suggestions[data-suggest-url]").forEach(setup);
})();
