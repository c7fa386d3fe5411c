/* One click, one request: a second submit of the same form through the same button while the first
   is on its way (a double click, an impatient second tap on a slow phone connection) is dropped, and
   the button shows it is busy. Each button of a form counts on its own, so downloading the xlsx and
   then the pdf from one form still works; after a few seconds (a download leaves the page where it
   is) the button is usable again. htmx forms are left to htmx. A form with data-confirm asks its
   question first. */
(function () {
  "use strict";
  var HOLD_MS = 5000;
  function key(form, submitter) {
    if (!submitter) return "form";
    return [submitter.getAttribute("formaction") || "", submitter.name || "", submitter.value || ""].join("|");
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    /* <form data-confirm="..."> asks first (cancelling an approved leave, ...). */
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      ev.preventDefault();
      return;
    }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    var submitter = ev.submitter || null;
    var k = key(form, submitter);
    var busy = form._ekinerjaBusy || (form._ekinerjaBusy = {});
    var now = Date.now();
    if (busy[k] && now - busy[k] < HOLD_MS) {
      ev.preventDefault();
      return;
    }
    busy[k] = now;
    if (submitter) {
      /* A button with data-busy-label (verifying or locking a TPP list, which gathers the month
         again) says what it is doing and stays busy until the answer replaces the page. */
      var label = submitter.getAttribute("data-busy-label");
      /* after the form data (which includes the submitter's name and value) is built */
      setTimeout(function () {
        submitter.disabled = true;
        submitter.setAttribute("aria-busy", "true");
        if (label) {
          submitter._ekinerjaLabel = submitter.textContent;
          submitter.textContent = label;
        }
      }, 0);
      if (!label) {
        setTimeout(function () {
          submitter.disabled = false;
          submitter.removeAttribute("aria-busy");
        }, HOLD_MS);
      }
    }
  });
  /* Back to a page from the browser's cache: nothing is on its way any more. */
  window.addEventListener("pageshow", function (ev) {
    if (!ev.persisted) return;
    document.querySelectorAll("form").forEach(function (f) { f._ekinerjaBusy = {}; });
    document.querySelectorAll("[aria-busy=true]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
      if (b._ekinerjaLabel) {
        b.textContent = b._ekinerjaLabel;
        b._ekinerjaLabel = null;
      }
    });
  });
})();
