// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // On a phone the filter panel starts closed, so the results come first.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia("(max-width: 55.99rem)").matches) {
    filters.open = false;
  }

  // Leave "Any" filters out of the URL, so shared links stay short.
  var form = document.querySelector(".filter-form");
  if (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.value === "") {
          field.disabled = true;
        }
      });
    });
    // Re-enable the fields when the page is restored from the back/forward cache.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        field.disabled = false;
      });
    });
  }
})();
