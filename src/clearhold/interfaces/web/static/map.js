// clearhold map: vector boundaries and points from a JSON block; tiles only when configured.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var dataEl = document.getElementById("map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent);
  var map = L.map(el, { attributionControl: !!el.dataset.tiles });
  var canvas = L.canvas();
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "map tiles" }).addTo(map);
  }
  var colours = { target: "#1d4ed8", buffer: "#c2410c", comparison: "#6b7280" };
  var layers = [];
  if (data.areas && data.areas.features.length) {
    var areas = L.geoJSON(data.areas, {
      style: function (f) { return { color: colours[f.properties.role] || "#1d4ed8", weight: 2, fillOpacity: 0.08 }; },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name + " (" + f.properties.role + ")"); }
    }).addTo(map);
    layers.push(areas);
  }
  if (data.points && data.points.length) {
    var group = L.featureGroup();
    data.points.forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lon], { renderer: canvas, radius: 3, color: p.kind === "arrest" ? "#a4141d" : "#0b2545", weight: 1, fillOpacity: 0.7 });
      m.bindTooltip(p.kind.replace("_", " ") + " #" + p.id);
      m.on("click", function () { window.location.href = "/records/" + p.id; });
      group.addLayer(m);
    });
    group.addTo(map);
    layers.push(group);
  }
  if (layers.length) {
    map.fitBounds(L.featureGroup(layers).getBounds(), { padding: [12, 12] });
  } else {
    map.setView([52.24, -0.9], 11);
  }
  el.dataset.ready = "1";
})();
