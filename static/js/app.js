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
})();
