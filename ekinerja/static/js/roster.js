/* The roster grid (attendance/roster.html): "Isi sisa bulan" repeats the pattern of the month's
   first N days over the rest of each row (a rotation such as P P S S M M - -), in the page only:
   nothing is saved until "Simpan roster". A day without a cell (a fixed schedule that day) is left
   alone, and so is a cell whose pattern day has none. The coverage counts under the grid follow. */
(function () {
  "use strict";
  var grid = document.querySelector("[data-roster-grid]");
  if (!grid) return;
  function recount() {
    grid.querySelectorAll("[data-roster-count]").forEach(function (cell) {
      var code = cell.getAttribute("data-code");
      var day = cell.getAttribute("data-day");
      var n = 0;
      grid.querySelectorAll('select[data-day="' + day + '"]').forEach(function (s) {
        if (s.value === code) n += 1;
      });
      // The editor's own row is shown read-only (nobody rosters themselves) but still counts.
      grid.querySelectorAll('[data-roster-fixed][data-day="' + day + '"]').forEach(function (s) {
        if (s.getAttribute("data-roster-fixed") === code) n += 1;
      });
      cell.textContent = String(n);
      cell.classList.toggle("text-danger", n === 0);
      cell.classList.toggle("fw-semibold", n === 0);
    });
  }
  grid.addEventListener("change", recount);
  var button = document.querySelector("[data-roster-repeat]");
  var input = document.getElementById("roster-cycle");
  var note = document.querySelector("[data-roster-repeat-note]");
  if (!button || !input) return;
  button.addEventListener("click", function () {
    var n = parseInt(input.value, 10);
    if (!(n >= 1 && n < 28)) {
      input.classList.add("is-invalid");
      return;
    }
    input.classList.remove("is-invalid");
    var changed = 0;
    grid.querySelectorAll("tr[data-roster-row]").forEach(function (row) {
      var byDay = {};
      row.querySelectorAll("select[data-day]").forEach(function (s) {
        byDay[parseInt(s.getAttribute("data-day"), 10)] = s;
      });
      Object.keys(byDay).forEach(function (k) {
        var day = parseInt(k, 10);
        if (day <= n) return;
        var source = byDay[((day - 1) % n) + 1];
        if (source && byDay[day].value !== source.value) {
          byDay[day].value = source.value;
          changed += 1;
        }
      });
    });
    recount();
    if (note) {
      note.textContent = changed
        ? changed + " sel diisi menurut pola tanggal 1-" + n + ". Periksa, lalu Simpan roster."
        : "Tidak ada sel yang berubah.";
    }
  });
})();
