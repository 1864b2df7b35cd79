/* The worked examples page: filter the examples by words and by answer. Progressive enhancement:
   without JavaScript the filter stays hidden and every example shows. */
(function () {
  "use strict";

  function setUp() {
    var form = document.getElementById("hb-filter");
    if (!form || form.getAttribute("data-ready")) { return; }
    form.setAttribute("data-ready", "1");
    var words = document.getElementById("hb-filter-words");
    var verdict = document.getElementById("hb-filter-verdict");
    var count = document.getElementById("hb-filter-count");
    var none = document.getElementById("hb-filter-none");
    var examples = Array.prototype.slice.call(document.querySelectorAll(".hb-example[data-verdict]"));
    /* each example: its heading (the h3 before it), its text, its group heading (the h2 before) */
    var items = examples.map(function (el) {
      var heading = el.previousElementSibling;
      var group = heading;
      while (group && group.tagName !== "H2") { group = group.previousElementSibling; }
      return {
        el: el,
        heading: heading && heading.tagName === "H3" ? heading : null,
        group: group,
        text: ((heading ? heading.textContent : "") + " " + el.textContent).toLowerCase()
      };
    });
    form.hidden = false;

    function apply() {
      var terms = words.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = verdict.value;
      var shown = 0;
      var groups = new Map();
      items.forEach(function (item) {
        var match = (!wanted || item.el.getAttribute("data-verdict") === wanted) &&
          terms.every(function (t) { return item.text.indexOf(t) !== -1; });
        item.el.hidden = !match;
        if (item.heading) { item.heading.hidden = !match; }
        if (item.group) { groups.set(item.group, (groups.get(item.group) || 0) + (match ? 1 : 0)); }
        shown += match ? 1 : 0;
      });
      groups.forEach(function (n, group) { group.hidden = n === 0; });
      count.textContent = shown === items.length
        ? "All " + items.length + " examples."
        : "Showing " + shown + " of " + items.length + " examples.";
      none.hidden = shown !== 0;
    }

    words.addEventListener("input", apply);
    verdict.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUp); /* Material's instant navigation */
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
