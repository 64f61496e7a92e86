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
  var classes = { hot: "#b91c1c", persistent: "#b91c1c", emerging: "#ea580c", intermittent: "#f59e0b",
                  former: "#a3a3a3", cold: "#2563eb" };
  function style(f) {
    var p = f.properties || {};
    if (p.layer === "cells") {
      var c = classes[p.hotspot_class];
      return { color: c || "#64748b", weight: c ? 1 : 0.5, fillColor: c || "#94a3b8", fillOpacity: c ? 0.55 : 0.15 };
    }
    if (p.layer === "study_area") { return { color: "#0b2545", weight: 2, fill: false }; }
    return { color: colours[p.role] || "#1d4ed8", weight: 2, fillOpacity: 0.08 };
  }
  var layers = [];
  if (data.areas && data.areas.features.length) {
    var areas = L.geoJSON(data.areas, {
      style: style,
      onEachFeature: function (f, layer) {
        var p = f.properties || {};
        if (p.layer === "cells") { layer.bindTooltip((p.hotspot_class || "cell") + ": " + p.count + " crimes"); }
        else if (p.name) { layer.bindTooltip(p.name + " (" + p.role + ")"); }
      }
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
