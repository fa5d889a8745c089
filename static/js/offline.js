// Offline and installable: registers the service worker (/sw.js) and adds the manifest; on a
// page the worker served from its cache, shows when it was saved. Loaded by shortlist.js from
// a reader's second page view on.
(function () {
  "use strict";
  var root = document.documentElement;
  var note = document.querySelector(".offline-note");
  if (note && root.dataset.offlineSaved !== undefined) {
    var saved = new Date(root.dataset.offlineSaved);
    var when = isNaN(saved) ? "" : saved.toLocaleString(root.lang, {
      dateStyle: "medium", timeStyle: "short" });
    var text = root.dataset.offlineMissing ? note.dataset.missing : note.dataset.saved;
    note.textContent = text.replace("{date}", when);
    note.hidden = false;
  }
  // The addresses of wegweiser/web/discovery.py's service_worker and manifest.
  if (!document.querySelector("link[rel=manifest]")) {
    var link = document.createElement("link");
    link.rel = "manifest";
    link.href = "/" + root.lang + "/manifest.webmanifest";
    document.head.appendChild(link);
  }
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    // The list page: keep the offers on it (and the sheet) for offline use too.
    var offers = document.querySelectorAll(".shortlist .offer-card-title a, a[data-offline-save]");
    if (!offers.length || !registration.active) { return; }
    registration.active.postMessage({ type: "save", urls: Array.prototype.map.call(
      offers, function (a) { return a.href; }) });
  }).catch(function () {});
})();
