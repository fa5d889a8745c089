// "Use my position" (near.html; js/shortlist.js shows the button where the browser has
// geolocation and fetches this on the first click): asks for the position only on the click,
// rounds it to a grid of 0.005° (about 500 m; wegweiser/geo.py rounds again) and only then
// puts it in the URL of the results.
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  var box = button.closest(".near-position");
  function rounded(degrees) { return (Math.round(degrees / 0.005) * 0.005).toFixed(3); }
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      var url = new URL(button.dataset.locate, location.href);
      url.searchParams.set("near", rounded(position.coords.latitude) + "," +
                           rounded(position.coords.longitude));
      location.assign(url.href);
    }, function () {
      button.disabled = false;
      box.querySelector("[role=status]").hidden = false;
    }, { timeout: 20000, maximumAge: 600000 });
  });
})();
