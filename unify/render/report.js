/* unify's HTML report: search, sort, filters and drill-down over the findings table.
   The page is complete without this script (every row is in the HTML); the script only
   shows and orders rows. It reads the page and writes textContent and attributes only,
   never markup, so values from the estate stay text. The Content-Security-Policy allows
   exactly this script, by its hash. */
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table) {
    return;
  }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var search = document.getElementById("search");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var shown = document.getElementById("shown");
  var scope = document.getElementById("scope");
  var scopeText = document.getElementById("scope-text");
  var panel = document.getElementById("resource-panel");
  var drill = {control: "", resource: ""};

  function tokens(row, key) {
    return (row.getAttribute("data-" + key) || "").split(" ");
  }

  function keep(row, index, words) {
    for (var w = 0; w < words.length; w++) {
      if (texts[index].indexOf(words[w]) === -1) {
        return false;
      }
    }
    for (var s = 0; s < selects.length; s++) {
      var value = selects[s].value;
      var key = selects[s].getAttribute("data-filter");
      if (value === "!pass") {
        if (row.getAttribute("data-verdict") === "pass") {
          return false;
        }
      } else if (value && tokens(row, key).indexOf(value) === -1) {
        return false;
      }
    }
    if (drill.control && tokens(row, "controls").indexOf(drill.control) === -1) {
      return false;
    }
    if (drill.resource && row.getAttribute("data-resource") !== drill.resource) {
      return false;
    }
    return true;
  }

  function apply() {
    var query = search.value.trim().toLowerCase();
    var words = query ? query.split(/\s+/) : [];
    var count = 0;
    rows.forEach(function (row, index) {
      var visible = keep(row, index, words);
      row.hidden = !visible;
      if (visible) {
        count += 1;
      }
    });
    shown.textContent = count + " of " + rows.length + " results shown";
    var label = drill.control ? "control " + drill.control : drill.resource ? "resource " + drill.resource : "";
    scope.hidden = !label;
    scopeText.textContent = label ? "Only the results of " + label + "." : "";
    showResource();
  }

  function showResource() {
    while (panel.firstChild) {
      panel.removeChild(panel.firstChild);
    }
    panel.hidden = !drill.resource;
    if (!drill.resource) {
      return;
    }
    var row = rows.filter(function (r) { return r.getAttribute("data-resource") === drill.resource; })[0];
    if (!row) {
      return;
    }
    var facts = [["Resource", "resource"], ["Name", "name"], ["Type", "type"], ["Account", "account"],
                 ["Region", "region"], ["Service", "service"], ["Terraform address", "address"]];
    var list = document.createElement("dl");
    facts.forEach(function (fact) {
      var value = row.getAttribute("data-" + fact[1]);
      if (!value) {
        return;
      }
      var term = document.createElement("dt");
      term.textContent = fact[0];
      var text = document.createElement("dd");
      text.textContent = value;
      list.appendChild(term);
      list.appendChild(text);
    });
    panel.appendChild(list);
  }

  function route() {
    var hash = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    var cut = hash.indexOf("=");
    var kind = cut > 0 ? hash.slice(0, cut) : "";
    var value = cut > 0 ? hash.slice(cut + 1) : "";
    if (kind === "control" || kind === "resource") {
      drill.control = kind === "control" ? value : "";
      drill.resource = kind === "resource" ? value : "";
    } else if (kind === "filter") {
      var colon = value.indexOf(":");
      var key = value.slice(0, colon);
      selects.forEach(function (select) {
        if (select.getAttribute("data-filter") === key) {
          select.value = value.slice(colon + 1);
        }
      });
      drill.control = "";
      drill.resource = "";
    } else {
      return;
    }
    apply();
    document.getElementById("findings").scrollIntoView();
  }

  function sortBy(button) {
    var key = button.getAttribute("data-sort");
    var header = button.parentNode;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.querySelectorAll("th"), function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var numeric = key === "rank";
    var order = rows.map(function (row, index) { return index; });
    order.sort(function (a, b) {
      var x = rows[a].getAttribute("data-" + key) || "";
      var y = rows[b].getAttribute("data-" + key) || "";
      var c = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
      return (ascending ? c : -c) || a - b;
    });
    var sortedRows = order.map(function (index) { return rows[index]; });
    var sortedTexts = order.map(function (index) { return texts[index]; });
    rows = sortedRows;
    texts = sortedTexts;
    rows.forEach(function (row) { body.appendChild(row); });
  }

  search.addEventListener("input", apply);
  selects.forEach(function (select) { select.addEventListener("change", apply); });
  Array.prototype.forEach.call(table.tHead.querySelectorAll("button[data-sort]"), function (button) {
    button.addEventListener("click", function () { sortBy(button); });
  });
  document.getElementById("reset").addEventListener("click", function () {
    search.value = "";
    selects.forEach(function (select) { select.value = select.getAttribute("data-default") || ""; });
    drill.control = "";
    drill.resource = "";
    if (window.location.hash) {
      history.replaceState(null, "", window.location.pathname);
    }
    apply();
  });
  document.getElementById("filters").hidden = false;
  window.addEventListener("hashchange", route);
  apply();
  route();
}());
