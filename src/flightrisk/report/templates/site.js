/* flightrisk report: sortable tables, filters and CSV export. No dependencies; every page reads the
   same without it (the full tables are in the HTML, the controls stay hidden). */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  function cellValue(row, i) {
    var c = row.cells[i];
    return c ? (c.getAttribute("data-sort") || c.textContent.trim()) : "";
  }
  function sortTable(table, i, th) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    rows.sort(function (a, b) {
      var x = cellValue(a, i), y = cellValue(b, i), nx = parseFloat(x), ny = parseFloat(y);
      var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    each(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }
  each(document.querySelectorAll("table.sortable"), function (table) {
    each(table.tHead.rows[0].cells, function (th, i) {
      var b = document.createElement("button");
      b.type = "button";
      while (th.firstChild) { b.appendChild(th.firstChild); }
      th.appendChild(b);
      b.addEventListener("click", function () { sortTable(table, i, th); });
    });
  });
  each(document.querySelectorAll(".filters"), function (filters) {
    var table = document.getElementById(filters.getAttribute("data-table"));
    var controls = filters.querySelectorAll("[data-column]");
    var count = document.getElementById("shown-count");
    filters.hidden = false;
    function apply() {
      var shown = 0;
      each(table.tBodies[0].rows, function (row) {
        var ok = true;
        each(controls, function (c) {
          var v = c.value.trim().toLowerCase();
          if (!v) { return; }
          var text = row.cells[+c.getAttribute("data-column")].textContent.trim().toLowerCase();
          if (c.tagName === "SELECT" ? text !== v : text.indexOf(v) < 0) { ok = false; }
        });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) { count.textContent = String(shown); }
    }
    each(controls, function (c) { c.addEventListener("input", apply); c.addEventListener("change", apply); });
  });
  each(document.querySelectorAll("[data-export]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var table = document.getElementById(button.getAttribute("data-export"));
      var lines = [];
      each(table.rows, function (row) {
        if (row.hidden) { return; }
        lines.push(Array.prototype.map.call(row.cells, function (c) {
          var text = c.textContent.trim();
          if (/^[=+\-@]/.test(text)) { text = "'" + text; }  /* no formulas in a spreadsheet */
          return "\"" + text.replace(/"/g, "\"\"") + "\"";
        }).join(","));
      });
      var blob = new Blob(["\ufeff" + lines.join("\r\n")], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = button.getAttribute("data-filename") || "table.csv";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  });
}());
