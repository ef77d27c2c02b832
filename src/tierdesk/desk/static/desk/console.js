// The agent console's keyboard and bulk selection (a file: the Content-Security-Policy
// allows no inline script). The queue works without it: links open tickets, checkboxes
// tick, the bulk form posts, and every field of the bulk form is shown.
//
// Queue keys: j / k move between tickets, o or Enter opens, a assigns to me (the row's
// "Take" button), r opens the ticket at its reply box, x ticks the row, / searches, ? shows
// the help dialog. On a ticket page that includes this file, n follows
// a[data-next-ticket] (the queue links each ticket with ?next=<the following ids>) and r
// goes to the reply box. No key is taken while the person types in a field, composes
// with an input method, or holds Ctrl, Alt or Meta.
"use strict";

(() => {
  // Letters by physical key too, so a Korean (두벌식) layout in Hangul mode still works.
  const CODES = { KeyJ: "j", KeyK: "k", KeyO: "o", KeyA: "a", KeyR: "r", KeyX: "x", KeyN: "n" };

  const NOT_TYPED = new Set(["checkbox", "radio", "button", "submit", "reset", "image"]);
  const typing = (target) => {
    if (!(target instanceof Element)) return false;
    if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
    return Boolean(target.closest("textarea, select, [contenteditable]:not([contenteditable=false])"));
  };

  const keyOf = (event) => {
    if (event.key === "?" || (event.code === "Slash" && event.shiftKey)) return "?";
    if (event.key === "/" || event.code === "Slash") return "/";
    if (event.key === "Enter") return "Enter";
    if (event.shiftKey) return "";
    if (/^[a-z]$/.test(event.key)) return event.key;
    return CODES[event.code] || "";
  };

  const table = () => document.querySelector("table[data-queue]");
  const rows = () => Array.from(document.querySelectorAll("table[data-queue] tbody tr[data-ticket]"));
  const current = () => document.querySelector("table[data-queue] tr.is-current");
  let currentId = null;

  const say = (text) => {
    const status = document.querySelector("[data-console-status]");
    if (status && text) {
      status.textContent = "";
      window.setTimeout(() => { status.textContent = text; }, 50);
    }
  };

  const select = (row, focus = true) => {
    rows().forEach((r) => { r.classList.remove("is-current"); r.removeAttribute("aria-current"); });
    if (!row) return;
    row.classList.add("is-current");
    row.setAttribute("aria-current", "true");
    currentId = row.dataset.ticket;
    const link = row.querySelector("a.ticket-link");
    if (focus && link) link.focus();
    row.scrollIntoView({ block: "nearest" });
  };

  const move = (step) => {
    const all = rows();
    if (!all.length) return;
    const here = all.indexOf(current());
    const next = here < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, here + step));
    select(all[next]);
  };

  const open = (hash = "") => {
    const row = current();
    const link = row && row.querySelector("a.ticket-link");
    if (link) window.location.assign(link.href + hash);
  };

  const take = () => {
    const row = current();
    if (!row) return;
    const button = row.querySelector("button[data-take]");
    if (button) {
      button.click();
    } else {
      say(document.querySelector("[data-console-status]")?.dataset.cannotTake || "");
    }
  };

  const tick = () => {
    const box = current()?.querySelector("input[type=checkbox][name=ticket]");
    if (box) {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  };

  const help = () => {
    const dialog = document.getElementById("shortcuts");
    if (dialog instanceof HTMLDialogElement && !dialog.open) dialog.showModal();
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.isComposing || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return; // the dialog has the keyboard
    const key = keyOf(event);
    if (!key) return;
    if (!table()) {
      // A ticket page opened from the queue.
      if (key === "n") {
        const next = document.querySelector("a[data-next-ticket]");
        if (next) { event.preventDefault(); window.location.assign(next.href); }
      } else if (key === "r") {
        const reply = document.getElementById("reply-body");
        if (reply) { event.preventDefault(); reply.focus(); }
      } else if (key === "?" && document.getElementById("shortcuts")) {
        event.preventDefault(); help();
      }
      return;
    }
    const onControl = event.target instanceof Element && event.target.closest("button, summary, a:not(.ticket-link)");
    switch (key) {
      case "j": event.preventDefault(); move(1); break;
      case "k": event.preventDefault(); move(-1); break;
      case "o": if (current()) { event.preventDefault(); open(); } break;
      case "Enter": if (current() && !onControl && !(event.target instanceof HTMLAnchorElement)) { event.preventDefault(); open(); } break;
      case "a": if (current()) { event.preventDefault(); take(); } break;
      case "r": if (current()) { event.preventDefault(); open("#reply"); } break;
      case "x": if (current()) { event.preventDefault(); tick(); } break;
      case "/": {
        const search = document.querySelector("[data-queue-search]");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        break;
      }
      case "?": event.preventDefault(); help(); break;
      default: break;
    }
  });

  // A click on a row makes it the current one (the keys continue from there).
  document.addEventListener("click", (event) => {
    const opener = event.target instanceof Element && event.target.closest("[data-shortcuts-open]");
    if (opener) { help(); return; }
    const row = event.target instanceof Element && event.target.closest("table[data-queue] tr[data-ticket]");
    if (row) select(row, false);
  });

  // Bulk selection: "select all", the count, and only the fields the chosen action uses.
  const updateCount = () => {
    const counter = document.querySelector("[data-bulk-count]");
    const boxes = Array.from(document.querySelectorAll("input[type=checkbox][name=ticket]"));
    const ticked = boxes.filter((b) => b.checked).length;
    if (counter) {
      const template = ticked ? counter.dataset.countSome : counter.dataset.countNone;
      if (template) counter.textContent = template.replace("{n}", String(ticked));
    }
    const all = document.querySelector("[data-select-all]");
    if (all instanceof HTMLInputElement) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    rows().forEach((r) => {
      const box = r.querySelector("input[type=checkbox][name=ticket]");
      r.classList.toggle("is-ticked", Boolean(box && box.checked));
    });
  };

  const showBulkFields = () => {
    const action = document.querySelector("[data-bulk-action]");
    if (!(action instanceof HTMLSelectElement)) return;
    document.querySelectorAll("[data-bulk-for]").forEach((field) => {
      field.hidden = field.dataset.bulkFor !== action.value;
    });
  };

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-all")) {
      document.querySelectorAll("input[type=checkbox][name=ticket]").forEach((box) => { box.checked = target.checked; });
    }
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-bulk-action")) showBulkFields();
    updateCount();
  });

  const restore = () => {
    showBulkFields();
    updateCount();
    if (currentId) {
      const row = document.querySelector(`table[data-queue] tr[data-ticket="${CSS.escape(currentId)}"]`);
      if (row) select(row, document.activeElement === document.body);
    }
  };
  document.addEventListener("htmx:afterSettle", restore);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
})();
