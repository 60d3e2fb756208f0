// Ambito: small progressive enhancements. Loaded with <script src> (the CSP allows no inline JS).
// Bootstrap Italia's fonts are declared in app.css: bootstrap.loadFonts() would inject a
// <style> element, which the Content-Security-Policy refuses.
(function () {
  "use strict";

  // After a failed submission, move the focus to the error summary so that screen-reader
  // and keyboard users hear and reach the errors first.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
