// "Add to my list" without reloading the page. Without JavaScript the same forms post and
// redirect back; here they post in the background and the button and counter update in place.
// A button is either inside its own form or (results pages) names one of two shared forms.
(function () {
  "use strict";
  function update(target, offer, response) {
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var badge = page.querySelector(".my-list .badge");
      var current = document.querySelector(".my-list .badge");
      if (badge && current) { current.textContent = badge.textContent; }
      var fresh = page.querySelector("[name=offer][value='" + CSS.escape(offer) + "']");
      if (fresh) { target.replaceWith(fresh.tagName === "BUTTON" ? fresh : fresh.closest("form")); }
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("list-form")) { return; }
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    var own = form.querySelector("input[name=offer]");
    var offer = own ? own.value : button.value;
    var data = new FormData(form);
    if (!own) { data.append("offer", offer); }
    button.disabled = true;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return update(own ? form : button, offer, response);
      })
      .catch(function () {
        if (!own) {
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "offer"; input.value = offer;
          form.appendChild(input);
        }
        form.submit();
      });
  });
})();

// A print button where printing from a script works (phones have no Ctrl+P); without
// JavaScript the sheet says how to print from the browser instead.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  if (!buttons.length || typeof window.print !== "function") { return; }
  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll(".no-print-button").forEach(function (hint) { hint.hidden = true; });
})();


// Offline (progressive): from a reader's second page view on, or once their list holds an
// offer, js/offline.js registers a service worker that keeps the pages they need. The first
// visit costs nothing extra.
(function () {
  "use strict";
  var script = document.querySelector("script[data-offline]");
  if (!script || !("serviceWorker" in navigator)) { return; }
  var views = 0;
  try {
    views = parseInt(localStorage.getItem("wegweiser-views") || "0", 10) + 1;
    localStorage.setItem("wegweiser-views", String(views));
  } catch (e) { return; }
  var badge = document.querySelector(".my-list .badge");
  if (views < 2 && !(badge && parseInt(badge.textContent, 10) > 0) &&
      document.documentElement.dataset.offlineSaved === undefined) { return; }
  var more = document.createElement("script");
  more.src = script.dataset.offline;
  document.head.appendChild(more);
})();

// Scripts that only some pages need (js/near.js, js/speak.js), named by the element that
// uses them: fetched after the page is shown, and never by the other pages.
document.querySelectorAll("[data-script]").forEach(function (element) {
  "use strict";
  var script = document.createElement("script");
  script.src = element.dataset.script;
  document.head.appendChild(script);
});
