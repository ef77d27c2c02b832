// The solution and person picker (autocomplete): written by the inventory app.
//
// Enhances every `input[data-picker]` into an ARIA 1.2 combobox with a listbox popup:
//   data-picker="solution" | "person"      what it picks (decides the second line shown)
//   data-picker-url="/inventory/solutions/pick/"   the JSON endpoint ({"results": [...]})
//   data-picker-value="<id of a hidden input>"     receives the picked id (optional; else
//                                                  the next hidden input in `.picker`)
//   data-picker-empty / data-picker-count           the page's words (translated there)
// Typing clears the picked id (so the text decides on submit); picking fills the text
// with the name, sets the id and fires `change` on both inputs and `picker:picked`.
// No inline script or style (Content-Security-Policy): the popup's look is picker.css,
// linked from here.
"use strict";

(function () {
  const DELAY_MS = 200;
  const DEFAULT_URLS = {
    solution: "/inventory/solutions/pick/",
    person: "/accounts/people/pick/",
  };
  let counter = 0;

  const script = document.currentScript;
  if (script && script.src) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = script.src.replace(/picker\.js(\?.*)?$/, "picker.css");
    document.head.appendChild(css);
  }

  function secondLine(kind, item) {
    if (kind === "solution") {
      return [item.environment, item.maker].filter(Boolean).join(" · ");
    }
    return [item.username, item.email].filter(Boolean).join(" · ");
  }

  function hiddenFor(input) {
    const target = input.dataset.pickerValue;
    if (target) {
      return document.getElementById(target);
    }
    const wrapper = input.closest(".picker");
    return wrapper ? wrapper.querySelector('input[type="hidden"]') : null;
  }

  function enhance(input) {
    if (input.dataset.pickerReady) {
      return;
    }
    input.dataset.pickerReady = "1";
    counter += 1;
    const kind = input.dataset.picker;
    const url = input.dataset.pickerUrl || DEFAULT_URLS[kind];
    if (!url) {
      return;
    }
    const hidden = hiddenFor(input);
    const listId = (input.id || "picker-" + counter) + "-listbox";

    const wrapper = input.closest(".picker") || input.parentElement;
    wrapper.classList.add("picker-ready");
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const label = input.labels && input.labels[0];
    if (label) {
      if (!label.id) {
        label.id = listId + "-label";
      }
      list.setAttribute("aria-labelledby", label.id);
    }
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    let items = [];
    let active = -1;
    let timer = 0;
    let controller = null;
    let lastQuery = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      const options = list.querySelectorAll('[role="option"]');
      if (!options.length) {
        return;
      }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      const current = options[active];
      input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      const item = items[index];
      if (!item) {
        return;
      }
      input.value = item.name;
      if (hidden) {
        hidden.value = String(item.id);
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      close();
      lastQuery = input.value;
      input.dispatchEvent(new CustomEvent("picker:picked", { bubbles: true, detail: item }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(results) {
      items = results;
      list.replaceChildren();
      results.forEach(function (item, i) {
        const option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        const name = document.createElement("span");
        name.className = "picker-name";
        name.textContent = item.name;
        option.appendChild(name);
        const detail = secondLine(kind, item);
        if (detail) {
          const small = document.createElement("small");
          small.className = "picker-detail";
          small.textContent = detail;
          option.appendChild(small);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the input
        });
        option.addEventListener("click", function () {
          pick(i);
        });
        list.appendChild(option);
      });
      if (!results.length) {
        const empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.textContent = input.dataset.pickerEmpty || "";
        list.appendChild(empty);
      }
      status.textContent = (input.dataset.pickerCount || "%(n)s").replace(
        "%(n)s",
        String(results.length)
      );
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }

    function search() {
      const query = input.value.trim();
      if (query === lastQuery && !list.hidden) {
        return;
      }
      lastQuery = query;
      if (!query) {
        close();
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      const sep = url.indexOf("?") >= 0 ? "&" : "?";
      fetch(url + sep + "q=" + encodeURIComponent(query) + "&limit=10", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (body) {
          if (input.value.trim() === query && document.activeElement === input) {
            render(body.results || []);
          }
        })
        .catch(function () {
          /* aborted or offline: the typed text still submits */
        });
    }

    input.addEventListener("input", function () {
      if (hidden && hidden.value) {
        hidden.value = "";
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      const open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          lastQuery = null;
          search();
        } else {
          setActive(active + 1);
        }
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          setActive(active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          pick(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          event.stopPropagation();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          if (hidden) {
            hidden.value = "";
          }
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("input[data-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll(document);
    });
  } else {
    enhanceAll(document);
  }
  // htmx swaps in new forms: enhance what they bring.
  document.addEventListener("htmx:load", function (event) {
    enhanceAll(event.target);
  });
  window.tierdeskPicker = { enhance: enhance, enhanceAll: enhanceAll };
})();
