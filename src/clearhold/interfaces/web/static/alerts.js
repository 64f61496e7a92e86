// ANPR alert list: poll for new alerts and put them at the top (no framework, no inline script).
(function () {
  "use strict";
  var table = document.getElementById("alerts");
  var state = document.getElementById("alerts-state");
  if (!table) { return; }
  var lastId = parseInt(table.dataset.lastId || "0", 10);
  function cell(text) { var td = document.createElement("td"); td.textContent = text == null ? "" : String(text); return td; }
  function row(a) {
    var tr = document.createElement("tr");
    tr.dataset.hit = a.id;
    tr.className = "fresh";
    var id = document.createElement("td"), link = document.createElement("a");
    link.href = "/anpr/hits/" + a.id; link.textContent = a.id; id.appendChild(link); tr.appendChild(id);
    tr.appendChild(cell(a.vrm_read)); tr.appendChild(cell(a.vrm_hotlist));
    tr.appendChild(cell(a.match_type + (a.misread ? " (misread-equivalent)" : "")));
    tr.appendChild(cell(a.priority)); tr.appendChild(cell(a.camera)); tr.appendChild(cell(a.captured_at));
    var st = cell(a.status + (a.outcome ? ": " + a.outcome : "")); st.className = "status"; tr.appendChild(st);
    return tr;
  }
  function poll() {
    fetch("/anpr/alerts.json?after=" + lastId, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (alerts) {
        var body = table.tBodies[0];
        alerts.slice().reverse().forEach(function (a) {
          if (a.id > lastId) { body.insertBefore(row(a), body.firstChild); }
        });
        alerts.forEach(function (a) { if (a.id > lastId) { lastId = a.id; } });
        table.dataset.lastId = lastId;
        state.textContent = "Updated " + new Date().toLocaleTimeString();
      })
      .catch(function (e) { state.textContent = "Not updated: " + e.message; });
  }
  setInterval(poll, 3000);
})();
