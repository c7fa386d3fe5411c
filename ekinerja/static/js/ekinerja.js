/* One click, one request: a second submit of the same form through the same button while the first
   is on its way (a double click, an impatient second tap on a slow phone connection) is dropped, and
   the button shows it is busy. Each button of a form counts on its own, so downloading the xlsx and
   then the pdf from one form still works; after a few seconds (a download leaves the page where it
   is) the button is usable again. htmx forms are left to htmx. A form with data-confirm asks its
   question first.

   A button with data-busy-label (a decision in the verification inbox, verifying or locking a TPP
   list) says what it is doing and stays busy, and so does its whole form, until the answer replaces
   the page. It is usable again, never with a request still on its way as far as the browser says,
   when the submission did not go through:
   - the browser reports the navigation stopped (Esc, the stop button, window.stop(), another
     navigation started): the Navigation API's abort of that navigation;
   - Esc in a browser without the Navigation API (where Esc stops the page loading);
   - the page comes back from the browser's cache with the Back button (pageshow, persisted);
   - and, in case none of these was told, the page is still here after STALL_MS. */
(function () {
  "use strict";
  var HOLD_MS = 5000;
  var STALL_MS = 20000; /* verifying a 20,000-employee TPP month took about 7-11 s on the bench */
  var WHOLE = "*"; /* the form's key while a labelled button of it is busy */
  var pending = []; /* {form, keys, button, timer, navigation} of submissions on their way */
  var hasNavigationApi = !!(window.navigation && window.navigation.addEventListener);

  function key(form, submitter) {
    if (!submitter) return "form";
    return [submitter.getAttribute("formaction") || "", submitter.name || "", submitter.value || ""].join("|");
  }

  function release(entry) {
    var i = pending.indexOf(entry);
    if (i < 0) return;
    pending.splice(i, 1);
    clearTimeout(entry.timer);
    var busy = entry.form._ekinerjaBusy || {};
    entry.keys.forEach(function (k) { delete busy[k]; });
    var b = entry.button;
    if (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
      if (b._ekinerjaLabel != null) {
        b.textContent = b._ekinerjaLabel;
        b._ekinerjaLabel = null;
      }
    }
  }

  function releaseAll() {
    pending.slice().forEach(release);
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
    if (busy[k] || busy[WHOLE]) {
      ev.preventDefault();
      return;
    }
    var label = submitter && submitter.getAttribute("data-busy-label");
    var entry = { form: form, keys: label ? [k, WHOLE] : [k], button: submitter, navigation: false };
    entry.keys.forEach(function (x) { busy[x] = true; });
    pending.push(entry);
    entry.timer = setTimeout(function () { release(entry); }, label ? STALL_MS : HOLD_MS);
    if (submitter) {
      /* after the form data (which includes the submitter's name and value) is built */
      setTimeout(function () {
        if (pending.indexOf(entry) < 0) return;
        submitter.disabled = true;
        submitter.setAttribute("aria-busy", "true");
        if (label) {
          submitter._ekinerjaLabel = submitter.textContent;
          submitter.textContent = label;
        }
      }, 0);
    }
  });

  /* The navigation a submission started: when the browser gives it up (stopped, or replaced by
     another), its button is usable again. Only the submissions made before this navigate event
     belong to it (a download's navigation, aborted when the next form is sent, releases nothing
     of the next form). */
  if (hasNavigationApi) {
    window.navigation.addEventListener("navigate", function (ev) {
      var mine = pending.filter(function (e) { return !e.navigation; });
      if (!mine.length || !ev.signal) return;
      mine.forEach(function (e) { e.navigation = true; });
      ev.signal.addEventListener("abort", function () { mine.forEach(release); });
    });
  }

  /* Esc stops the page loading; a browser with the Navigation API reports that itself (above), so a
     stray Esc there frees nothing still on its way. */
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !hasNavigationApi) releaseAll();
  });

  /* Back to a page from the browser's cache: nothing is on its way any more. */
  window.addEventListener("pageshow", function (ev) {
    if (!ev.persisted) return;
    releaseAll();
    document.querySelectorAll("form").forEach(function (f) { f._ekinerjaBusy = {}; });
    document.querySelectorAll("[aria-busy=true]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
      if (b._ekinerjaLabel != null) {
        b.textContent = b._ekinerjaLabel;
        b._ekinerjaLabel = null;
      }
    });
  });
})();

/* Enter in a search box inside a form (the catalog search of the activity form) searches; it does
   not send the form around it. A phone keyboard's "Go" key in that box sent the half-filled entry:
   refused for want of an activity, or saved as a draft with the activity ticked before. */
document.addEventListener("keydown", function (ev) {
  var t = ev.target;
  if (ev.key !== "Enter" || !t || !t.matches || !t.matches("input[data-enter-searches]")) return;
  ev.preventDefault();
  if (window.htmx) window.htmx.trigger(t, "search");
});
