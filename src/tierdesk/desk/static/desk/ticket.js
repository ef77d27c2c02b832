// The ticket page's own script (a file: the Content-Security-Policy allows no inline
// script). Everything here is an enhancement; the page works without it.
"use strict";

(() => {
  // Triage: show the priority that saving will give, from the same matrix the server
  // uses (services.priority_for), before the agent saves. The server stays the truth.
  const triage = document.getElementById("triage-form");
  if (triage) {
    const matrix = JSON.parse(triage.dataset.priorityMatrix || "{}");
    const labels = JSON.parse(triage.dataset.priorityLabels || "{}");
    const output = document.getElementById("triage-priority");
    const impact = triage.querySelector("[name$='impact']");
    const urgency = triage.querySelector("[name$='urgency']");
    const show = () => {
      const priority = matrix[`${impact.value}|${urgency.value}`];
      if (!priority || !output) return;
      const badge = document.createElement("span");
      badge.className = `badge prio-${priority}`;
      badge.textContent = labels[priority] || priority;
      output.replaceChildren(badge);
    };
    if (impact && urgency) {
      impact.addEventListener("change", show);
      urgency.addEventListener("change", show);
      show();
    }
  }

  // A link to one of the page's actions (the portal's "Close" goes to #move-close) opens
  // its folded section and brings it into view.
  const unfold = () => {
    const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target instanceof HTMLDetailsElement) {
      target.open = true;
      target.scrollIntoView({ block: "start" });
      const first = target.querySelector("textarea, input:not([type=hidden]), select, button");
      if (first) first.focus({ preventScroll: true });
    }
  };
  unfold();
  window.addEventListener("hashchange", unfold);

  // Panels may offer a link to put into the reply (the knowledge base's suggested
  // articles): a button with data-insert-link adds "title: url" at the reply's cursor.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-insert-link]");
    const box = document.getElementById("reply-body");
    if (!button || !box) return;
    const line = `${button.dataset.insertTitle || ""}: ${button.dataset.insertLink}`.replace(/^: /, "");
    const at = box.selectionStart ?? box.value.length;
    const before = box.value.slice(0, at);
    const glue = before && !before.endsWith("\n") ? "\n" : "";
    box.value = before + glue + line + "\n" + box.value.slice(box.selectionEnd ?? at);
    box.focus();
  });

  // Canned responses: "Insert" puts the chosen response (its variables already filled in
  // for this ticket) into the reply box at the cursor instead of reloading the page.
  const canned = document.getElementById("canned-form");
  const reply = document.getElementById("reply-body");
  if (canned && reply) {
    canned.addEventListener("submit", (event) => {
      event.preventDefault();
      const select = canned.querySelector("select");
      const option = select && select.selectedOptions[0];
      if (!option) return;
      const text = option.dataset.text || "";
      const start = reply.selectionStart ?? reply.value.length;
      const end = reply.selectionEnd ?? reply.value.length;
      const before = reply.value.slice(0, start);
      const glue = before && !before.endsWith("\n") ? "\n" : "";
      reply.value = before + glue + text + reply.value.slice(end);
      const caret = (before + glue + text).length;
      reply.focus();
      reply.setSelectionRange(caret, caret);
      reply.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
})();
