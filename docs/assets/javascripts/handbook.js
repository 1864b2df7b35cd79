/* The policy handbook: "Copy link" and "Cite this clause" buttons on clauses, and commentary expanded for printing.
   Progressive enhancement: without JavaScript the clause id is still a plain link to the clause. */
(function () {
  "use strict";

  function clauseUrl(anchor) {
    var url = new URL(window.location.href);
    url.hash = anchor;
    return url.href;
  }

  function announce(button, text) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = text;
    window.setTimeout(function () { button.textContent = original; }, 2000);
  }

  function setUp() {
    setUpSearchButtons();
    var buttons = document.querySelectorAll("button.hb-copy[data-anchor]");
    if (!navigator.clipboard) { return; }
    buttons.forEach(function (button) {
      if (button.getAttribute("data-ready")) { return; }
      button.setAttribute("data-ready", "1");
      button.hidden = false;
      button.setAttribute("aria-live", "polite");
      button.addEventListener("click", function () {
        var url = clauseUrl(button.getAttribute("data-anchor"));
        var cite = button.getAttribute("data-cite");
        /* "Cite this clause": policy, clause id and title, adoption date, then the link */
        navigator.clipboard.writeText(cite ? cite + " " + url : url).then(
          function () { announce(button, cite ? "Citation copied" : "Link copied"); },
          function () { announce(button, "Copy failed"); }
        );
      });
    });
  }

  /* "Search the handbook" (the 404 page): opens the theme's search and puts the cursor in it. */
  function setUpSearchButtons() {
    document.querySelectorAll("button[data-open-search]").forEach(function (button) {
      var toggle = document.getElementById("__search");
      var input = document.querySelector("input[data-md-component=search-query]");
      if (!toggle || !input) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        toggle.checked = true;
        toggle.dispatchEvent(new Event("change"));
        input.focus();
      });
    });
  }

  /* Printed pages show every collapsible block open. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-print-opened");
    });
  });

  /* Offline: the service worker (sw.js, at the site's root, beside the web app manifest) keeps every
     page, PDF and the checker once the page has loaded. On the checker's page it starts only when
     the checker has booted, so that its downloads never compete with the checker's own. */
  function keepOffline() {
    var manifest = document.querySelector('link[rel="manifest"]');
    if (!manifest || !("serviceWorker" in navigator) || !window.isSecureContext) { return; }
    var register = function () {
      navigator.serviceWorker.register(new URL("sw.js", manifest.href).href, { updateViaCache: "none" })
        .catch(function () { /* the site works online without it */ });
    };
    var checker = document.querySelector("[data-checker-state]");
    if (checker && checker.getAttribute("data-checker-state") === "loading") {
      var watch = new MutationObserver(function () {
        if (checker.getAttribute("data-checker-state") !== "loading") { watch.disconnect(); register(); }
      });
      watch.observe(checker, { attributes: true, attributeFilter: ["data-checker-state"] });
    } else if (document.readyState === "complete") {
      register();
    } else {
      window.addEventListener("load", register);
    }
  }
  keepOffline();

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);   /* Material's instant navigation, if enabled */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
