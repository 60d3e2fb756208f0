// Ambito: small progressive enhancements. Loaded with <script src> (the CSP allows no inline JS).
// Bootstrap Italia's fonts are declared in app.css: bootstrap.loadFonts() would inject a
// <style> element, which the Content-Security-Policy refuses.
(function () {
  "use strict";

  // After a failed submission, move the focus to the error summary so that screen-reader
  // and keyboard users hear and reach the errors first.
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      return true;
    }
    return false;
  }

  // Inline edits: the POST forms inside a <section data-inline id="…"> of the case page are
  // sent with htmx. The server answers as without JavaScript (a redirect to the case page, or
  // the page with the form's errors); htmx takes from that page only this section and the
  // messages, and swaps them in place. Without JavaScript the forms work as plain forms.
  // The closing form lists the plan's goals: it is there whenever the inline forms are (an
  // open case the user may change), and changes with the plan.
  var OUT_OF_BAND = ["#messages", "#sezione-scadenze", "#sezione-cronologia", "#sezione-chiusura"];

  function enhance(root) {
    var forms = Array.prototype.slice.call(
      root.querySelectorAll("section[data-inline] form[method='post']")
    );
    if (root.matches && root.matches("section[data-inline]")) {
      forms = Array.prototype.slice.call(root.querySelectorAll("form[method='post']"));
    }
    // A folded form of the case page, just fetched (see folded_form.html): htmx hands the form
    // itself to onLoad.
    if (root.matches && root.matches("section[data-inline] form[method='post']")) {
      forms.push(root);
    }
    forms.forEach(function (form) {
      var section = form.closest("section[data-inline]");
      if (!section || !section.id || form.hasAttribute("hx-post")) {
        return;
      }
      var target = "#" + section.id;
      form.setAttribute("hx-post", form.getAttribute("action") || window.location.pathname);
      form.setAttribute("hx-target", target);
      form.setAttribute("hx-select", target);
      form.setAttribute("hx-swap", "outerHTML");
      // The messages, the case's deadlines and its timeline change with every edit.
      form.setAttribute("hx-select-oob", OUT_OF_BAND.join(","));
      if (form.enctype === "multipart/form-data") {
        form.setAttribute("hx-encoding", "multipart/form-data");
      }
      window.htmx.process(form);
    });
  }

  // A folded form opened: the focus goes to its first field.
  function focusFoldedForm(target) {
    if (!target || !target.hasAttribute || !target.hasAttribute("data-folded-form")) {
      return false;
    }
    var field = target.querySelector(
      "input:not([type='hidden']), select, textarea, button, [tabindex]"
    );
    if (field) {
      field.focus();
    }
    return true;
  }

  function afterSwap(event) {
    if (focusFoldedForm(event.detail.target)) {
      return;
    }
    var section = document.getElementById(event.detail.target && event.detail.target.id);
    if (section && focusErrorSummary(section)) {
      return;
    }
    // More of a list loaded (the whole timeline): the focus goes to the first item added.
    var added = section && section.querySelector("[data-focus-after-load]");
    if (added) {
      added.focus();
      return;
    }
    var message = document.querySelector("#messages .alert");
    if (message) {
      message.focus();
    }
  }

  // An answer htmx does not swap (403, 404, 500, or no answer at all): say so where the
  // messages are, instead of leaving the form silently as it was.
  function showFailure(event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status
      ? "L'operazione non è riuscita (errore " + status + "). Ricaricare la pagina e riprovare."
      : "Il server non risponde. Controllare la connessione e riprovare.";
    var messages = document.getElementById("messages");
    if (!messages) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.setAttribute("tabindex", "-1");
    alert.textContent = text;
    messages.replaceChildren(alert);
    alert.focus();
  }

  function start() {
    focusErrorSummary();
    if (window.htmx) {
      enhance(document.body);
      window.htmx.onLoad(enhance);
      document.body.addEventListener("htmx:afterSettle", afterSwap);
      document.body.addEventListener("htmx:responseError", showFailure);
      document.body.addEventListener("htmx:sendError", showFailure);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
