/* Before/after sliders (templates/studio/visual/_compare.html): the range input moves the cut
   between the source, laid over the result, and the result. Styles are set through the CSSOM:
   the CSP allows no style="" attribute. Works for sliders swapped in by htmx too. */
(function () {
  "use strict";

  function place(root) {
    var range = root.querySelector("[data-compare-range]");
    var before = root.querySelector("[data-compare-before]");
    var handle = root.querySelector("[data-compare-handle]");
    if (!range || !before) return;
    var value = Math.min(100, Math.max(0, parseFloat(range.value) || 0));
    before.style.clipPath = "inset(0 " + (100 - value) + "% 0 0)";
    if (handle) handle.style.left = value + "%";
    root.setAttribute("data-compare-at", String(Math.round(value)));
  }

  function setUp(node) {
    if (!node || !node.querySelectorAll) return;
    if (node.matches && node.matches("[data-compare]")) place(node);
    node.querySelectorAll("[data-compare]").forEach(place);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-compare-range]")) {
      place(target.closest("[data-compare]"));
    }
  });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
