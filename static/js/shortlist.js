// "Add to my list" without reloading the page. Without JavaScript the same forms post and
// redirect back; here they post in the background and the button and counter update in place.
// A button is either inside its own form or (results pages) names one of two shared forms.
(function () {
  "use strict";
  var queue = Promise.resolve();
  // ``focused``: the button had the keyboard's focus when pressed; its replacement gets it, so
  // that the focus is not lost to the top of the page and a screen reader reads the new state.
  function update(target, offer, response, focused) {
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var badge = page.querySelector(".my-list .badge");
      var current = document.querySelector(".my-list .badge");
      if (badge && current) { current.textContent = badge.textContent; }
      var fresh = page.querySelector("[name=offer][value='" + CSS.escape(offer) + "']");
      if (!fresh) { return; }
      var button = fresh.tagName === "BUTTON" ? fresh : fresh.form.querySelector("button");
      target.replaceWith(fresh.form && fresh.tagName !== "BUTTON" ? fresh.form : fresh);
      if (focused) { button.focus(); }
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
    var focused = document.activeElement === button;
    button.disabled = true;
    // One change after the other: the list lives in a cookie, and a change sent before the
    // answer to the previous one arrived would carry the old list and undo that change.
    queue = queue.then(function () {
      return fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return update(own ? form : button, offer, response, focused);
    }).catch(function () {
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

// Read aloud (offer pages) and "use my position" (near.html) are shown only where the browser
// can do them; their code (js/speak.js, js/near.js, named by data-script) is fetched on the
// first click, so no page's first visit costs more than its four requests.
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  function canSpeak() {
    var lang = document.documentElement.lang.split("-")[0];
    return window.SpeechSynthesisUtterance && synth.getVoices().some(function (v) {
      return v.lang.toLowerCase().split(/[-_]/)[0] === lang;
    });
  }
  document.querySelectorAll("[data-script]").forEach(function (element) {
    var button = element.querySelector("button") || element;
    if (!element.matches("[data-speak-button]")) {
      element.hidden = !navigator.geolocation;
    } else if (synth) {
      var offer = function () { element.hidden = !canSpeak(); };
      offer();
      synth.addEventListener("voiceschanged", offer);
    }
    button.addEventListener("click", function () {
      var script = document.createElement("script");
      script.src = element.dataset.script;
      // The script adds its own click handler; this click (within the user's activation,
      // which speech synthesis asks for) then reaches it.
      script.onload = function () { button.click(); };
      document.head.appendChild(script);
    }, { once: true });
  });
})();
