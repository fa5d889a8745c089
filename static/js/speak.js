// Read aloud (offer pages; js/shortlist.js shows the button where the browser has a voice for
// the page's language and fetches this on the first click): the essentials marked data-speak,
// each in its own language.
(function () {
  "use strict";
  var button = document.querySelector("[data-speak-button]");
  var synth = window.speechSynthesis;
  var label = button.textContent;
  function voice(lang) {
    return synth.getVoices().filter(function (v) {
      return v.lang.toLowerCase().split(/[-_]/)[0] === lang.toLowerCase().split("-")[0];
    })[0];
  }
  function done() { button.textContent = label; }
  button.addEventListener("click", function () {
    if (synth.speaking) { synth.cancel(); done(); return; }
    var parts = document.querySelectorAll("[data-speak]");
    parts.forEach(function (part, n) {
      var lang = part.closest("[lang]").lang;
      var utterance = new SpeechSynthesisUtterance(part.innerText);
      utterance.lang = lang;
      utterance.voice = voice(lang) || null;
      if (n === parts.length - 1) { utterance.onend = done; }
      synth.speak(utterance);
    });
    button.textContent = button.dataset.stop;
  });
})();
