/* MODO Creator Verse — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  var doc = document;

  function $all(selector, root) {
    return Array.prototype.slice.call((root || doc).querySelectorAll(selector));
  }

  /* ---------------------------------------------------------------- auth tabs
     Tabs are submit buttons of a GET form (?tab=...), so they work without JS.
     Here they switch panels in place, keyboard-accessible per the ARIA tabs pattern. */
  function initTabs(tablist) {
    var tabs = $all('[role="tab"]', tablist);
    if (!tabs.length) return;

    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        var panel = doc.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
      if (window.history && history.replaceState) {
        var url = new URL(window.location.href);
        url.searchParams.set("tab", tab.getAttribute("data-tab"));
        history.replaceState(history.state, "", url.toString());
      }
    }

    var current = tabs.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0] || tabs[0];
    tabs.forEach(function (t) { t.tabIndex = t === current ? 0 : -1; });

    tablist.addEventListener("click", function (event) {
      var tab = event.target.closest('[role="tab"]');
      if (!tab) return;
      event.preventDefault();
      select(tab, false);
    });

    tablist.addEventListener("keydown", function (event) {
      var index = tabs.indexOf(doc.activeElement);
      if (index < 0) return;
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = tabs[(index + 1) % tabs.length];
      else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = tabs[(index - 1 + tabs.length) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (next) {
        event.preventDefault();
        select(next, true);
      }
    });

    // "Create an account" / "Log in" links under each form switch tabs too.
    $all("[data-tab-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var tab = tabs.filter(function (t) { return t.getAttribute("data-tab") === link.getAttribute("data-tab-link"); })[0];
        if (!tab) return;
        event.preventDefault();
        select(tab, false);
        var panel = doc.getElementById(tab.getAttribute("aria-controls"));
        var field = panel && panel.querySelector("input:not([type=hidden])");
        if (field) field.focus();
      });
    });
  }
  $all("[data-tabs]").forEach(initTabs);

  /* ---------------------------------------------------------------- show / hide password */
  $all("[data-password-toggle]").forEach(function (button) {
    var input = doc.getElementById(button.getAttribute("data-password-toggle"));
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
  });

  /* ---------------------------------------------------------------- public nav (hamburger) */
  $all("[data-nav-toggle]").forEach(function (button) {
    var nav = doc.getElementById(button.getAttribute("aria-controls"));
    var header = button.closest(".site-header");
    if (!nav) return;
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
      if (header) header.classList.toggle("is-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    doc.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  });

  /* ---------------------------------------------------------------- app drawer (sidebar at phone width) */
  var drawer = doc.querySelector("[data-drawer]");
  var drawerToggle = doc.querySelector("[data-drawer-toggle]");
  if (drawer && drawerToggle) {
    var backdrop = doc.querySelector(".drawer-backdrop");
    var setDrawer = function (open) {
      drawer.classList.toggle("is-open", open);
      drawerToggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (backdrop) backdrop.hidden = !open;
      doc.body.style.overflow = open ? "hidden" : "";
      if (open) {
        var first = drawer.querySelector("nav a");
        if (first) first.focus();
      }
    };
    drawerToggle.addEventListener("click", function () { setDrawer(!drawer.classList.contains("is-open")); });
    $all("[data-drawer-close]").forEach(function (el) {
      el.addEventListener("click", function () {
        setDrawer(false);
        drawerToggle.focus();
      });
    });
    doc.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && drawer.classList.contains("is-open")) {
        setDrawer(false);
        drawerToggle.focus();
      }
    });
    // Leaving phone width with the drawer open must not leave the page scroll-locked.
    window.matchMedia("(min-width: 900px)").addEventListener("change", function (mq) {
      if (mq.matches) setDrawer(false);
    });
  }

  /* ---------------------------------------------------------------- <details> menus: close on outside click / Escape */
  var menus = $all("details[data-menu]");
  if (menus.length) {
    doc.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
    });
    doc.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open) {
          menu.open = false;
          var summary = menu.querySelector("summary");
          if (summary) summary.focus();
        }
      });
    });
  }

  /* ---------------------------------------------------------------- copy to clipboard */
  function fallbackCopy(text) {
    var area = doc.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    doc.body.appendChild(area);
    area.select();
    try { doc.execCommand("copy"); } catch (e) { /* nothing more we can do */ }
    doc.body.removeChild(area);
  }
  doc.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = doc.querySelector(button.getAttribute("data-copy-target"));
    if (!source) return;
    var text = (source.value !== undefined ? source.value : source.textContent).trim();
    var label = button.querySelector("[data-copy-label]") || button;
    var original = label.getAttribute("data-original") || label.textContent;
    label.setAttribute("data-original", original);
    var done = function () {
      label.textContent = button.getAttribute("data-copied-label") || original;
      button.classList.add("is-copied");
      window.setTimeout(function () {
        label.textContent = original;
        button.classList.remove("is-copied");
      }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  });

  /* ---------------------------------------------------------------- confirm before destructive submits */
  doc.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);

  /* ---------------------------------------------------------------- messages: close and auto-dismiss */
  function dismiss(toast) {
    if (!toast || toast.classList.contains("is-leaving")) return;
    toast.classList.add("is-leaving");
    window.setTimeout(function () {
      var parent = toast.parentNode;
      if (parent) {
        parent.removeChild(toast);
        if (!parent.children.length && parent.parentNode) parent.parentNode.removeChild(parent);
      }
    }, 260);
  }
  doc.addEventListener("click", function (event) {
    var close = event.target.closest("[data-dismiss]");
    if (close) dismiss(close.closest(".toast"));
  });
  $all(".toast[data-autodismiss]").forEach(function (toast) {
    var timer = null;
    var start = function () { timer = window.setTimeout(function () { dismiss(toast); }, 7000); };
    var stop = function () { window.clearTimeout(timer); };
    toast.addEventListener("mouseenter", stop);
    toast.addEventListener("focusin", stop);
    toast.addEventListener("mouseleave", start);
    start();
  });

  /* The trial banner's button sits just under the top bar, where the toasts appear: while the
     banner is in sight the toasts start below it (--toasts-top, read by .toasts). */
  var banner = doc.getElementById("trial-banner");
  var topbar = doc.querySelector(".topbar");
  if (banner && topbar) {
    var placeToasts = function () {
      var below = Math.max(banner.getBoundingClientRect().bottom, topbar.getBoundingClientRect().bottom);
      doc.documentElement.style.setProperty("--toasts-top", Math.round(below + 10) + "px");
    };
    placeToasts();
    window.addEventListener("scroll", placeToasts, { passive: true });
    window.addEventListener("resize", placeToasts);
  }
})();

/* studio */
/* Studio islands: explicit-save forms saved with htmx + an unsaved-changes guard, Ctrl/Cmd+S,
   auto-submitting filters, up/down reordering, the "Generate with AI" panel (streamed drafts),
   and screenplay typography. Every form still works as a plain POST without this code. */
(function () {
  "use strict";

  var doc = document;
  var ZERO_UUID = "00000000-0000-0000-0000-000000000000";

  function $all(selector, root) {
    return Array.prototype.slice.call((root || doc).querySelectorAll(selector));
  }

  var stringsCache = null;
  function t(key) {
    if (!stringsCache) {
      var node = doc.getElementById("studio-strings");
      try { stringsCache = node ? JSON.parse(node.textContent) : {}; } catch (e) { stringsCache = {}; }
    }
    return stringsCache[key] || "";
  }

  function csrfToken() {
    try {
      var headers = JSON.parse(doc.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) { /* fall through */ }
    var input = doc.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attrs, children) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /* An icon from the server-rendered sprite-free set: clone one already on the page. */
  function icon(name) {
    var svg = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "1.9");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    var paths = {
      check: "M5 12.5l4.5 4.5L19 7.5",
      alert: "M10.3 4.2L2.6 18a2 2 0 0 0 1.7 3h15.4a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0zM12 9.5v4M12 17v.2",
      trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1l1-13M9 7V4h6v3",
      columns: "M5 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM12 4v16",
      copy: "M11 9h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-8a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2zM5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1",
      stop: "M8 6h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z",
      sparkles: "M11 3l1.9 5.1L18 10l-5.1 1.9L11 17l-1.9-5.1L4 10l5.1-1.9z"
    };
    var path = doc.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", paths[name] || "");
    svg.appendChild(path);
    return svg;
  }

  function button(label, cls, iconName) {
    var b = el("button", { type: "button", className: "btn btn-sm " + cls });
    if (iconName) b.appendChild(icon(iconName));
    b.appendChild(doc.createTextNode(label));
    return b;
  }

  /* ---------------------------------------------------------------- unsaved-changes guard */
  var snapshots = {};
  var leaving = false;

  function formKey(form) { return form.id || form.getAttribute("action") || ""; }

  function serialize(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.name === "csrfmiddlewaretoken") return;
      if (field.closest("[data-dirty-ignore]")) return;
      var type = field.type;
      if (type === "submit" || type === "button" || type === "reset" || type === "file") return;
      if ((type === "checkbox" || type === "radio") && !field.checked) return;
      if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (o) { if (o.selected) parts.push(field.name + "=" + o.value); });
        return;
      }
      parts.push(field.name + "=" + field.value);
    });
    return parts.join("\u0000");
  }

  function isDirty(form) {
    var key = formKey(form);
    return Object.prototype.hasOwnProperty.call(snapshots, key) && snapshots[key] !== serialize(form);
  }

  function statusOf(form) { return form.querySelector(".save-status"); }

  function setStatus(form, text, modifier) {
    var status = statusOf(form);
    if (!status) return;
    status.className = "save-status" + (modifier ? " save-status--" + modifier : "");
    status.textContent = text;
  }

  function refresh(form) {
    var dirty = isDirty(form);
    var wasDirty = form.classList.contains("is-dirty");
    form.classList.toggle("is-dirty", dirty);
    var status = statusOf(form);
    if (dirty && !wasDirty) setStatus(form, t("unsaved"), "dirty");
    else if (!dirty && wasDirty && status && status.classList.contains("save-status--dirty")) setStatus(form, "", "");
  }

  function snapshot(form) {
    snapshots[formKey(form)] = serialize(form);
    form.classList.remove("is-dirty");
  }

  function initGuards(root) {
    $all("form[data-dirty-guard]", root).forEach(function (form) {
      if (!Object.prototype.hasOwnProperty.call(snapshots, formKey(form))) snapshot(form);
      else refresh(form);
      form.setAttribute("autocomplete", "off");
    });
    if (root && root.matches && root.matches("form[data-dirty-guard]")) initGuards(root.parentNode);
  }
  initGuards(doc);

  function onEdit(event) {
    var target = event.target;
    if (!target.closest || target.closest("[data-dirty-ignore]")) return;
    var form = target.form || target.closest("form[data-dirty-guard]");
    if (form && form.hasAttribute && form.hasAttribute("data-dirty-guard")) refresh(form);
  }
  doc.addEventListener("input", onEdit);
  doc.addEventListener("change", onEdit);

  // A plain (non-htmx) submit navigates away on purpose: the guard must not ask.
  doc.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) leaving = true;
  });
  window.addEventListener("pageshow", function () { leaving = false; });
  window.addEventListener("beforeunload", function (event) {
    if (leaving) return;
    var dirty = $all("form[data-dirty-guard]").some(isDirty);
    if (dirty) {
      event.preventDefault();
      event.returnValue = t("leave") || "";
      return event.returnValue;
    }
  });

  /* htmx saves: "Saved" into the status, the 422 partial in place of the form, and a plain
     submit when the answer is a whole page (a form error the view re-renders in full). */
  function guardedFormOf(detail) {
    var elt = detail && (detail.requestConfig ? detail.requestConfig.elt : detail.elt);
    return elt && elt.matches && elt.matches("form[data-dirty-guard]") ? elt : null;
  }

  function saveButtons(form) { return $all(".save-bar [type=submit]", form); }

  doc.addEventListener("htmx:beforeRequest", function (event) {
    var form = guardedFormOf(event.detail);
    if (!form || !event.detail.requestConfig || event.detail.requestConfig.verb !== "post") return;
    setStatus(form, t("saving"), "");
    saveButtons(form).forEach(function (b) { b.disabled = true; });
  });

  doc.addEventListener("htmx:afterRequest", function (event) {
    var form = guardedFormOf(event.detail);
    if (form) saveButtons(form).forEach(function (b) { b.disabled = false; });
  });

  doc.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var form = guardedFormOf(detail);
    if (!form || (detail.requestConfig && detail.requestConfig.verb !== "post")) return;
    var status = detail.xhr.status;
    var text = detail.xhr.responseText || "";
    if (status === 422 && form.hasAttribute("data-swap-invalid")) {
      detail.shouldSwap = true;
      detail.isError = false;
      detail.target = form;
      detail.swapOverride = "outerHTML";
    } else if (status >= 200 && status < 300 && text.indexOf("data-saved") !== -1) {
      snapshot(form);
    } else if (status >= 200 && status < 300) {
      detail.shouldSwap = false;
      leaving = true;
      HTMLFormElement.prototype.submit.call(form);
    } else {
      detail.shouldSwap = false;
      setStatus(form, t("saveFailed"), "error");
    }
  });

  doc.addEventListener("htmx:sendError", function (event) {
    var form = guardedFormOf(event.detail);
    if (form) setStatus(form, t("saveFailed"), "error");
  });

  doc.addEventListener("htmx:load", function (event) {
    var node = event.detail && event.detail.elt;
    if (node && node.matches && node.matches("form[data-dirty-guard]")) {
      initGuards(node);
      refresh(node);
      var invalid = node.querySelector("[aria-invalid=true], .field--invalid input, .field--invalid textarea, .field--invalid select");
      if (invalid) invalid.focus();
    }
  });

  /* ---------------------------------------------------------------- Ctrl/Cmd+S saves the form you are in */
  doc.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || (event.key !== "s" && event.key !== "S")) return;
    var active = doc.activeElement;
    var form = active && active.closest ? active.closest("form[data-dirty-guard]") : null;
    if (!form) {
      var guarded = $all("form[data-dirty-guard]");
      form = guarded.filter(isDirty)[0] || (guarded.length === 1 ? guarded[0] : null);
    }
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit();
    else { var submit = form.querySelector("[type=submit]"); if (submit) submit.click(); }
  });

  /* ---------------------------------------------------------------- filters submit on change */
  doc.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-auto-submit]");
    if (!form || (event.target.tagName !== "SELECT" && event.target.type !== "checkbox")) return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
  /* Filters live in the URL: after Back, show the ones the page was made with (the server's),
     not what the browser restored from the page as it was left (the change that navigated away). */
  window.addEventListener("pageshow", function () {
    $all("form[data-auto-submit]").forEach(function (form) { form.reset(); });
  });

  /* ---------------------------------------------------------------- print */
  doc.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  /* ---------------------------------------------------------------- reorder (up / down)
     The list form holds one hidden "order" input per row, so after moving a row in the DOM the
     form's data is the new order; it is posted with fetch (HX-Request → 204). */
  var reorderTimers = new WeakMap();

  function refreshMoveButtons(list) {
    var items = $all(":scope > li", list);
    items.forEach(function (item, index) {
      var up = item.querySelector("[data-move=up]");
      var down = item.querySelector("[data-move=down]");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === items.length - 1;
    });
  }

  function saveOrder(form) {
    var status = form.querySelector("[data-reorder-status]");
    var data = new FormData(form);
    data.delete("move");
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    }).catch(function () {
      if (status) status.textContent = t("orderFailed");
      window.alert(t("orderFailed"));
    });
  }

  doc.addEventListener("click", function (event) {
    var btn = event.target.closest("form[data-reorder] [data-move]");
    if (!btn) return;
    event.preventDefault();
    if (btn.disabled) return;
    var item = btn.closest("li");
    var list = item.parentNode;
    var form = btn.closest("form");
    if (btn.getAttribute("data-move") === "up" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (btn.getAttribute("data-move") === "down" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    } else {
      return;
    }
    refreshMoveButtons(list);
    (btn.disabled ? item.querySelector("[data-move]:not(:disabled)") || btn : btn).focus();
    item.classList.add("is-moved");
    window.setTimeout(function () { item.classList.remove("is-moved"); }, 700);
    var items = $all(":scope > li", list);
    var status = form.querySelector("[data-reorder-status]");
    if (status) {
      status.textContent = t("moved").replace("{position}", items.indexOf(item) + 1).replace("{total}", items.length);
    }
    window.clearTimeout(reorderTimers.get(form));
    reorderTimers.set(form, window.setTimeout(function () { saveOrder(form); }, 350));
  });

  /* ---------------------------------------------------------------- "Generate with AI" panel */
  function aiParts(root) {
    return {
      toggle: root.querySelector(".js-ai-toggle"),
      panel: root.querySelector(".ai-panel"),
      quote: root.querySelector(".ai-panel__quote"),
      run: root.querySelector(".ai-run"),
      status: root.querySelector(".ai-run__status"),
      canon: root.querySelector(".ai-run__canon"),
      offline: root.querySelector(".ai-run__offline"),
      draft: root.querySelector(".ai-draft"),
      actions: root.querySelector(".ai-run__actions"),
      compare: root.querySelector(".ai-compare"),
      compareToggle: root.querySelector(".js-ai-compare")
    };
  }

  function openPanel(root, focus) {
    var p = aiParts(root);
    p.panel.hidden = false;
    if (p.toggle) p.toggle.setAttribute("aria-expanded", "true");
    if (focus) root.setAttribute("data-focus-pending", "");
    if (window.htmx && !root.hasAttribute("data-quoted")) {
      root.setAttribute("data-quoted", "");
      window.htmx.trigger(p.quote, "ai-open");
    } else if (focus) {
      focusPrompt(root);
    }
  }

  function closePanel(root) {
    var p = aiParts(root);
    if (root._controller) root._controller.abort();
    p.panel.hidden = true;
    if (p.toggle) {
      p.toggle.setAttribute("aria-expanded", "false");
      p.toggle.focus();
    }
  }

  function focusPrompt(root) {
    root.removeAttribute("data-focus-pending");
    var prompt = root.querySelector(".ai-quote textarea, .ai-quote .js-run-generate");
    if (prompt) prompt.focus();
  }

  doc.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.classList || !target.classList.contains("ai-panel__quote")) return;
    var root = target.closest("[data-ai]");
    if (root && root.hasAttribute("data-focus-pending")) focusPrompt(root);
  });

  function setRunStatus(root, kind, text, link) {
    var p = aiParts(root);
    p.status.className = "ai-run__status" + (kind ? " ai-run__status--" + kind : "");
    p.status.textContent = "";
    if (kind === "busy") p.status.appendChild(el("span", { className: "spinner", "aria-hidden": "true" }));
    else if (kind === "done") p.status.appendChild(icon("check"));
    else if (kind === "error") p.status.appendChild(icon("alert"));
    var body = el("span", { text: text });
    if (link) {
      body.appendChild(doc.createTextNode(" "));
      body.appendChild(el("a", { href: link.href, text: link.label }));
    }
    p.status.appendChild(body);
  }

  function showCanon(root, canon, omitted) {
    var box = aiParts(root).canon;
    box.textContent = "";
    if (canon && canon.length) {
      box.appendChild(el("span", { text: t("canon") }));
      canon.forEach(function (label) { box.appendChild(el("span", { className: "chip", text: label })); });
    }
    if (omitted && omitted.length) {
      box.appendChild(el("span", { text: t("omitted") }));
      omitted.forEach(function (label) { box.appendChild(el("span", { className: "chip chip--omitted", text: label })); });
    }
    box.hidden = !box.childNodes.length;
  }

  /* The offline label sits next to the draft, never in it. */
  function showOffline(root, label) {
    var box = aiParts(root).offline;
    if (!box) return;
    box.querySelector(".ai-run__offline-text").textContent = label || "";
    box.hidden = !label;
  }

  function setBusy(root, busy) {
    root._busy = busy;
    var p = aiParts(root);
    p.draft.setAttribute("aria-busy", busy ? "true" : "false");
    $all(".js-run-generate", root).forEach(function (b) { b.disabled = busy; });
  }

  function compareUrl(root) {
    var params = new URLSearchParams({
      target_kind: root.getAttribute("data-target-kind"),
      target_id: root.getAttribute("data-target-id") || "",
      field: root.getAttribute("data-field")
    });
    return root.getAttribute("data-drafts-url") + "?" + params.toString();
  }

  function showCompare(root, show) {
    var p = aiParts(root);
    if (!p.compare) return;
    p.compare.hidden = !show;
    if (p.compareToggle) p.compareToggle.setAttribute("aria-expanded", show ? "true" : "false");
    if (show && window.htmx) {
      p.compare.innerHTML = '<p class="ai-panel__loading"><span class="spinner" aria-hidden="true"></span>' + (t("loading") || "") + "</p>";
      window.htmx.ajax("GET", compareUrl(root), { target: p.compare, swap: "innerHTML" });
      p.compare.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  /* Credits moved (a draft was charged, or its hold returned): the header's badge, the trial
     banner and every panel's cost line fetch themselves again (they listen for this event). */
  function creditsChanged() {
    doc.body.dispatchEvent(new CustomEvent("credits-changed"));
  }

  /* After a run the cost line (balance, trial count) is out of date: ask for it again, keeping
     the direction and model the creator chose. */
  function refreshQuote(root) {
    var quote = aiParts(root).quote;
    if (!window.htmx || !quote || quote.contains(doc.activeElement)) return;
    var prompt = quote.querySelector("[name=prompt]");
    var model = quote.querySelector("[name=model]");
    var params = new URLSearchParams();
    params.set("field", root.getAttribute("data-field"));
    if (root.getAttribute("data-target-kind") === "free") params.set("free", "1");
    if (prompt && prompt.value) params.set("prompt", prompt.value);
    if (model && model.value) params.set("model", model.value);
    window.htmx.ajax("GET", quote.getAttribute("hx-get").split("?")[0] + "?" + params.toString(), { target: quote, swap: "innerHTML" });
  }

  // Every AI panel already open shows its cost line again with the new balance and trial count.
  doc.body.addEventListener("credits-changed", function () {
    $all("[data-ai-panel][data-quoted]").forEach(function (root) { if (!root._controller) refreshQuote(root); });
  });

  function focusFirstAction(root) {
    var active = doc.activeElement;
    if (active && active !== doc.body && !root.contains(active)) return;
    var first = aiParts(root).actions.querySelector("button");
    if (first) first.focus({ preventScroll: true });
  }

  function draftFinished(root, draftId, cost) {
    var p = aiParts(root);
    var free = root.getAttribute("data-target-kind") === "free";
    setRunStatus(root, "done", free ? t("readyFree") : t("ready"));
    p.draft.scrollTop = 0;  // the stream followed the end; the creator reads from the start
    p.actions.textContent = "";
    if (free) {
      var copy = button(t("copy"), "btn-primary", "copy");
      copy.setAttribute("data-copy-target", "#" + p.draft.id);
      copy.setAttribute("data-copied-label", t("copied"));
      p.actions.appendChild(copy);
    } else {
      var accept = button(t("accept"), "btn-primary js-draft-accept", "check");
      accept.setAttribute("data-draft", draftId);
      p.actions.appendChild(accept);
    }
    var discard = button(t("discard"), "btn-secondary js-draft-discard", "trash");
    discard.setAttribute("data-draft", draftId);
    p.actions.appendChild(discard);
    if (!free) p.actions.appendChild(button(t("compare"), "btn-link js-draft-compare", "columns"));
  }

  function draftFailed(root, message, partial) {
    var p = aiParts(root);
    setRunStatus(root, "error", message + (partial ? " " + t("partial") : ""));
    p.actions.textContent = "";
    p.actions.appendChild(button(t("again"), "btn-secondary js-run-generate", "sparkles"));
    if (partial && root.getAttribute("data-target-kind") !== "free") p.actions.appendChild(button(t("compare"), "btn-link js-draft-compare", "columns"));
  }

  function refusal(root, data) {
    if (data.upgrade_url) {  // the trial is used up: the upgrade page says why and what next
      window.location.assign(data.upgrade_url);
      return;
    }
    var url = t("subscriptionUrl");
    var link = null;
    if (data.action === "buy") link = { href: url + "#packages", label: t("buy") };
    else if (data.action === "upgrade") link = { href: url + "#plans", label: t("upgrade") };
    var message = data.message || t("failed");
    if (data.action === "wait") message += " " + t("retry");
    setRunStatus(root, "error", message, link);
    aiParts(root).actions.textContent = "";
  }

  /* Server-sent events from a fetch body: "event: x\ndata: {json}\n\n" blocks. */
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function dispatch(block) {
      var name = "message";
      var data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length) return;
      var payload;
      try { payload = JSON.parse(data.join("\n")); } catch (e) { return; }
      onEvent(name, payload);
    }
    function flush(final) {
      buffer = buffer.replace(/\r\n?/g, "\n");
      var index;
      while ((index = buffer.indexOf("\n\n")) !== -1) {
        dispatch(buffer.slice(0, index));
        buffer = buffer.slice(index + 2);
      }
      if (final && buffer.trim()) { dispatch(buffer); buffer = ""; }
    }
    function pump() {
      return reader.read().then(function (result) {
        if (result.done) { buffer += decoder.decode(); flush(true); return; }
        buffer += decoder.decode(result.value, { stream: true });
        flush(false);
        return pump();
      });
    }
    return pump();
  }

  function generate(root) {
    if (root._busy) return;
    var p = aiParts(root);
    var prompt = root.querySelector(".ai-quote [name=prompt]");
    var model = root.querySelector(".ai-quote [name=model]");
    var body = new URLSearchParams();
    body.append("target_kind", root.getAttribute("data-target-kind"));
    body.append("target_id", root.getAttribute("data-target-id") || "");
    body.append("field", root.getAttribute("data-field"));
    body.append("prompt", prompt ? prompt.value : "");
    if (model && model.value) body.append("model", model.value);
    body.append("csrfmiddlewaretoken", csrfToken());

    p.run.hidden = false;
    p.draft.textContent = "";
    p.canon.hidden = true;
    showOffline(root, "");
    p.actions.textContent = "";
    showCompare(root, false);
    setRunStatus(root, "busy", t("writing"));
    setBusy(root, true);
    var controller = window.AbortController ? new AbortController() : null;
    root._controller = controller;
    var stop = button(t("stop"), "btn-secondary js-ai-stop", "stop");
    p.actions.appendChild(stop);
    p.run.scrollIntoView({ block: "nearest", behavior: "smooth" });

    var settled = false;
    fetch(root.getAttribute("data-generate-url"), {
      method: "POST", body: body, credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: { "X-CSRFToken": csrfToken(), "Accept": "text/event-stream" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== -1) {
        return response.json().then(function (data) { settled = true; refusal(root, data); });
      }
      if (!response.ok || !response.body) {
        settled = true;
        draftFailed(root, t("failed"), false);
        return null;
      }
      return readEvents(response, function (name, data) {
        if (name === "start") {
          root.setAttribute("data-draft", data.draft || "");
          showCanon(root, data.canon, data.omitted);
          showOffline(root, data.offline);
        } else if (name === "chunk") {
          var nearBottom = p.draft.scrollHeight - p.draft.scrollTop - p.draft.clientHeight < 40;
          p.draft.appendChild(doc.createTextNode(data.text || ""));
          if (nearBottom) p.draft.scrollTop = p.draft.scrollHeight;
        } else if (name === "done") {
          settled = true;
          draftFinished(root, data.draft || root.getAttribute("data-draft"), data.cost);
        } else if (name === "error") {
          settled = true;
          draftFailed(root, data.message || t("failed"), !!data.partial);
        }
      }).then(function () {
        if (!settled) draftFailed(root, t("offline"), !!p.draft.textContent);
      });
    }).catch(function (error) {
      if (settled) return;
      if (error && error.name === "AbortError") {
        setRunStatus(root, "error", t("stopped"));
        p.actions.textContent = "";
        p.actions.appendChild(button(t("again"), "btn-secondary js-run-generate", "sparkles"));
        if (root.getAttribute("data-target-kind") !== "free") p.actions.appendChild(button(t("compare"), "btn-link js-draft-compare", "columns"));
      } else {
        draftFailed(root, t("offline"), false);
      }
    }).then(function () {
      root._controller = null;
      setBusy(root, false);
      focusFirstAction(root);
      creditsChanged();
    });
  }

  function draftAction(root, btn, action) {
    var id = btn.getAttribute("data-draft");
    if (!id) return Promise.reject(new Error("no draft"));
    var url = root.getAttribute(action === "accept" ? "data-accept-url" : "data-discard-url").replace(ZERO_UUID, id);
    btn.disabled = true;
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", csrfToken());
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response;
    });
  }

  doc.addEventListener("click", function (event) {
    var target = event.target;
    var root = target.closest && target.closest("[data-ai]");
    if (!root) return;
    var btn;
    if ((btn = target.closest(".js-ai-toggle"))) {
      if (aiParts(root).panel.hidden) openPanel(root, true); else closePanel(root);
    } else if ((btn = target.closest(".js-ai-close"))) {
      closePanel(root);
    } else if ((btn = target.closest(".js-run-generate"))) {
      event.preventDefault();
      generate(root);
    } else if ((btn = target.closest(".js-ai-stop"))) {
      if (root._controller) root._controller.abort();
    } else if ((btn = target.closest(".js-draft-accept"))) {
      setRunStatus(root, "busy", t("accepting"));
      draftAction(root, btn, "accept").then(function () {
        window.location.reload();
      }).catch(function () {
        btn.disabled = false;
        setRunStatus(root, "error", t("failed"));
      });
    } else if ((btn = target.closest(".js-draft-discard"))) {
      draftAction(root, btn, "discard").then(function () {
        var p = aiParts(root);
        p.run.hidden = true;
        p.draft.textContent = "";
        p.actions.textContent = "";
        var generateBtn = root.querySelector(".ai-quote .js-run-generate");
        if (generateBtn) generateBtn.focus();
      }).catch(function () {
        btn.disabled = false;
        setRunStatus(root, "error", t("failed"));
      });
    } else if ((btn = target.closest(".js-draft-compare, .js-ai-compare"))) {
      var compare = aiParts(root).compare;
      showCompare(root, btn.classList.contains("js-draft-compare") ? true : compare.hidden);
    }
  });

  doc.addEventListener("keydown", function (event) {
    var root = event.target.closest && event.target.closest("[data-ai]");
    if (!root) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches(".ai-quote textarea")) {
      event.preventDefault();
      event.stopPropagation();
      generate(root);
    } else if (event.key === "Escape" && root.querySelector(".js-ai-toggle") && !aiParts(root).panel.hidden) {
      event.preventDefault();
      closePanel(root);
    }
  });

  /* ---------------------------------------------------------------- screenplay typography
     Scripts are plain text. Here they are laid out like a screenplay: scene headings, centred
     character cues and dialogue, right-aligned transitions. Text only: nothing is parsed as HTML. */
  var HEADING = /^(INT|EXT|INT\.?\/EXT|I\/E|EST|INT\.\/EKST|EKST|INTERIOR|EXTERIOR)[.\s]/i;
  var TRANSITION = /^[A-Z][A-Z0-9 .'’-]*(TO|OUT|IN):$|^(FADE IN|FADE OUT|CUT TO|DISSOLVE TO)[:.]?$/;
  function isCue(line) {
    var bare = line.replace(/\s*\([^)]*\)\s*$/, "").trim();
    return bare.length > 0 && bare.length <= 38 && /[A-Z]/.test(bare) && bare === bare.toUpperCase() &&
      !/[.!?,;]$/.test(bare) && !HEADING.test(bare);
  }
  function formatScreenplay(pre) {
    var text = pre.textContent.replace(/\r\n?/g, "\n");
    var out = el("div", { className: "screenplay" });
    text.split(/\n\s*\n/).forEach(function (paragraph) {
      var lines = paragraph.split("\n").map(function (l) { return l.replace(/\s+$/, ""); }).filter(function (l) { return l.trim(); });
      if (!lines.length) return;
      var first = lines[0].trim();
      if (/^>/.test(first) || /^\*.*\*$/.test(first)) {
        out.appendChild(el("p", { className: "sp sp--note", text: lines.map(function (l) { return l.replace(/^>\s*/, "").replace(/^\*+|\*+$/g, ""); }).join("\n") }));
      } else if (HEADING.test(first)) {
        out.appendChild(el("p", { className: "sp sp--heading", text: first.replace(/^#+\s*/, "") }));
        if (lines.length > 1) out.appendChild(el("p", { className: "sp sp--action", text: lines.slice(1).join("\n") }));
      } else if (TRANSITION.test(first) && lines.length === 1) {
        out.appendChild(el("p", { className: "sp sp--transition", text: first }));
      } else if (lines.length > 1 && isCue(first)) {
        out.appendChild(el("p", { className: "sp sp--cue", text: first }));
        lines.slice(1).forEach(function (line) {
          var trimmed = line.trim();
          var paren = /^\(.*\)$/.test(trimmed);
          out.appendChild(el("p", { className: "sp " + (paren ? "sp--paren" : "sp--dialogue"), text: trimmed }));
        });
      } else {
        out.appendChild(el("p", { className: "sp sp--action", text: lines.join("\n").replace(/^#+\s*/, "") }));
      }
    });
    pre.parentNode.replaceChild(out, pre);
  }
  $all("pre[data-screenplay]").forEach(formatScreenplay);

  /* The section and settings tabs scroll sideways on phones: keep the current one in view. */
  $all(".project-nav, .settings-nav, .filter-tabs").forEach(function (nav) {
    var current = nav.querySelector("[aria-current=page]");
    if (current && nav.scrollWidth > nav.clientWidth) {
      nav.scrollLeft += current.getBoundingClientRect().left - nav.getBoundingClientRect().left - (nav.clientWidth - current.offsetWidth) / 2;
    }
  });
})();

/* media */
/* Galleries (templates/media/_gallery.html): a picked or dropped file uploads at once, the "⋯"
   menus close like the others, and after htmx swaps a gallery the keyboard focus comes back to
   the same control. Without this code the forms post normally and the page reloads. */
(function () {
  "use strict";

  var doc = document;

  function galleryOf(node) {
    return node && node.closest ? node.closest("[data-gallery]") : null;
  }

  function upload(gallery, files) {
    var input = gallery.querySelector("[data-gallery-file]");
    if (!input || !files || !files.length) return;
    if (files !== input.files) {
      try { input.files = files; } catch (e) { return; }
    }
    var form = input.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  doc.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-gallery-file]")) return;
    if (input.files && input.files.length) upload(galleryOf(input), input.files);
  });

  /* drag and drop onto a gallery */
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }
  var dragDepth = 0;
  doc.addEventListener("dragenter", function (event) {
    var gallery = galleryOf(event.target);
    if (!gallery || !hasFiles(event)) return;
    event.preventDefault();
    dragDepth += 1;
    gallery.classList.add("is-dragover");
  });
  doc.addEventListener("dragover", function (event) {
    if (!galleryOf(event.target) || !hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  doc.addEventListener("dragleave", function (event) {
    var gallery = galleryOf(event.target);
    if (!gallery) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) gallery.classList.remove("is-dragover");
  });
  doc.addEventListener("drop", function (event) {
    var gallery = galleryOf(event.target);
    Array.prototype.forEach.call(doc.querySelectorAll("[data-gallery].is-dragover"), function (g) { g.classList.remove("is-dragover"); });
    dragDepth = 0;
    if (!gallery || !hasFiles(event)) return;
    event.preventDefault();
    upload(gallery, event.dataTransfer.files);
  });

  /* "⋯" menus: one open at a time; outside click and Escape close them */
  function openMenus() {
    return Array.prototype.slice.call(doc.querySelectorAll("details.asset-menu[open]"));
  }
  doc.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
  doc.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(doc.activeElement)) summary.focus();
    });
  });

  /* A poll must not pull the gallery from under someone using it (typing a Drive link, a menu open). */
  function busy(gallery) {
    return gallery.contains(doc.activeElement) || !!gallery.querySelector("details[open]") || gallery.classList.contains("is-dragover");
  }
  var focusAfterSwap = null;
  doc.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.matches) return;
    if (elt.matches("[data-gallery]")) {
      if (busy(elt)) event.preventDefault();
      return;
    }
    var gallery = galleryOf(elt);
    if (!gallery) return;
    var active = doc.activeElement;
    // After a swap the same control (same id) gets the focus back; a deleted file's → the gallery.
    focusAfterSwap = active && gallery.contains(active) && active.id ? active.id : gallery.id;
    var menu = elt.closest("details.asset-menu");
    if (menu && menu.contains(active)) focusAfterSwap = gallery.id;
    if (elt.matches(".asset__star")) focusAfterSwap = elt.id;  // Safari does not focus a clicked button
  });
  doc.addEventListener("htmx:afterRequest", function (event) {
    if (focusAfterSwap && event.detail && !event.detail.successful && galleryOf(event.detail.elt)) focusAfterSwap = null;
  });
  doc.addEventListener("htmx:afterSettle", function () {
    if (!focusAfterSwap) return;
    var target = doc.getElementById(focusAfterSwap);
    focusAfterSwap = null;
    if (target) target.focus({ preventScroll: true });
  });
})();

/* visual jobs */
/* Job cards (templates/studio/visual/_job.html) poll themselves with htmx; when one comes back
   ended it carries data-job-finished: announce it with a toast and let the galleries on the page
   refresh ("gallery-refresh", which templates/media/_gallery.html listens for). Also: the
   project gallery's optimistic favourite star, and the value next to a range slider. */
(function () {
  "use strict";

  var doc = document;
  var ICONS = {
    success: "M5 12.5l4.5 4.5L19 7.5",
    error: "M10.3 4.2L2.6 18a2 2 0 0 0 1.7 3h15.4a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0zM12 9.5v4M12 17v.2",
    info: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v5M12 8v.2"
  };

  function svg(name) {
    var node = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
    node.setAttribute("class", "icon");
    node.setAttribute("viewBox", "0 0 24 24");
    node.setAttribute("aria-hidden", "true");
    node.setAttribute("fill", "none");
    node.setAttribute("stroke", "currentColor");
    node.setAttribute("stroke-width", "1.9");
    node.setAttribute("stroke-linecap", "round");
    node.setAttribute("stroke-linejoin", "round");
    var path = doc.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name] || ICONS.info);
    node.appendChild(path);
    return node;
  }

  /* A live region must exist before the text arrives for screen readers to read it out. */
  function toastBox() {
    var box = doc.getElementById("messages");
    if (!box) {
      box = doc.createElement("div");
      box.className = "toasts";
      box.id = "messages";
      doc.body.appendChild(box);
    }
    box.setAttribute("aria-live", "polite");
    return box;
  }
  toastBox();

  function toast(message, level) {
    if (!message) return;
    level = level || "info";
    var box = toastBox();
    window.setTimeout(function () {
      // The layout's <template id="toast-template"> has the translated "Dismiss" label.
      var template = doc.getElementById("toast-template");
      var item = template ? template.content.firstElementChild.cloneNode(true) : doc.createElement("div");
      item.className = "toast toast--" + level;
      item.setAttribute("role", level === "error" ? "alert" : "status");
      var iconBox = item.querySelector(".toast__icon");
      if (iconBox) iconBox.appendChild(svg(level));
      var body = item.querySelector(".toast__body") || item;
      body.textContent = message;
      var close = item.querySelector(".toast__close");
      (doc.body.contains(box) ? box : toastBox()).appendChild(item);
      var timer = window.setTimeout(function () { if (close) close.click(); else item.remove(); }, 7000);
      item.addEventListener("mouseenter", function () { window.clearTimeout(timer); });
      item.addEventListener("focusin", function () { window.clearTimeout(timer); });
    }, 60);
  }
  window.modoToast = toast;

  function announce(root) {
    var found = [];
    if (root.matches && root.matches("[data-job-finished]")) found.push(root);
    if (root.querySelectorAll) found = found.concat(Array.prototype.slice.call(root.querySelectorAll("[data-job-finished]")));
    found.forEach(function (card) {
      var status = card.getAttribute("data-job-finished");
      card.removeAttribute("data-job-finished");
      toast(card.getAttribute("data-toast"), card.getAttribute("data-toast-level"));
      if (status === "succeeded") doc.body.dispatchEvent(new CustomEvent("gallery-refresh", { bubbles: false }));
    });
  }
  doc.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt) announce(event.detail.elt);
  });

  /* favourite star (project gallery): flips at once, goes back if the server says no. The star
     submits the page's actions form to its own formaction (studio/visual/_gallery_items.html). */
  function setStar(star, on) {
    star.classList.toggle("is-on", on);
    star.setAttribute("aria-pressed", on ? "true" : "false");
    star.setAttribute("formaction", on ? star.getAttribute("data-off") : star.getAttribute("data-on"));
  }
  doc.addEventListener("submit", function (event) {
    var star = event.submitter;
    if (!star || !star.matches("[data-fav-toggle]") || !window.fetch) return;
    event.preventDefault();
    var on = !star.classList.contains("is-on");
    var url = star.getAttribute("formaction");
    var data = new FormData(event.target);
    setStar(star, on);
    fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
    }).catch(function () {
      setStar(star, !on);
      toast(star.getAttribute("data-failed"), "error");
    });
  }, true);

  /* <output for="id"> next to a range slider shows its value */
  function showRange(input) {
    if (!input.id) return;
    Array.prototype.forEach.call(doc.querySelectorAll('output[for="' + input.id + '"]'), function (out) {
      out.textContent = input.value;
    });
  }
  doc.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[type=range]")) showRange(event.target);
  });

  /* meters and progress bars: the width is a percentage in data-fill (the CSP allows no style="" attribute) */
  function fillBars(root) {
    root.querySelectorAll("[data-fill]").forEach(function (bar) {
      bar.style.width = (parseFloat(bar.getAttribute("data-fill")) || 0) + "%";
    });
  }
  fillBars(doc);
  doc.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.querySelectorAll) fillBars(event.detail.elt);
  });
})();
