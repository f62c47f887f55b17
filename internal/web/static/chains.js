// cordon transmission-chain page: draws the cases that have links as a
// force-directed graph (echarts, vendor/echarts.min.js) from /chains.json:
// arrows from infector to infected, nodes coloured by classification and
// larger for superspreaders, the evidence and confidence of a link on
// hover. The lists under the graph stay the page's record; without the
// library or the data there is no graph.
(function () {
  "use strict";

  var box = document.getElementById("chain-graph");
  var lib = window.echarts;
  if (!box || !lib || !window.fetch) {
    return;
  }
  var classes = ["confirmed", "asymptomatic", "suspected"];
  var colours = { confirmed: "#b3261e", asymptomatic: "#c77700", suspected: "#5f6b7a" };

  function word(name, n) {
    return (box.getAttribute("data-" + name) || "").replace("{id}", n).replace("{n}", n);
  }

  function draw(v) {
    var place = {};
    (v.cases || []).forEach(function (p) { place[p.id] = p; });
    var size = {};
    (v.clusters || []).forEach(function (k) { size[k.id] = k.size; });
    var nodes = [];
    (v.nodes || []).forEach(function (n) {
      var p = place[n.id] || {};
      if ((size[p.cluster] || 0) < 2) {
        return; // a sporadic case: nothing to draw
      }
      var cat = Math.max(0, classes.indexOf(n.classification));
      var secondary = p.secondary_cases || 0;
      nodes.push({
        id: String(n.id),
        name: word("node", n.id),
        category: cat,
        symbolSize: p.superspreader ? 34 : 14 + 3 * Math.min(secondary, 4),
        itemStyle: p.superspreader ? { borderColor: "#1b1b1b", borderWidth: 3 } : undefined,
        generation: p.generation,
        secondary: secondary,
        superspreader: !!p.superspreader
      });
    });
    var links = (v.links || []).map(function (l) {
      return {
        source: String(l.from),
        target: String(l.to),
        evidence: l.evidence,
        confidence: l.confidence,
        lineStyle: {
          width: l.confidence === "confirmed" ? 2.5 : 1.5,
          type: l.confidence === "possible" ? "dashed" : "solid"
        }
      };
    });
    if (!nodes.length) {
      return;
    }
    box.hidden = false;
    var chart = lib.getInstanceByDom(box) || lib.init(box, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      animation: false,
      // Rich-text tooltips are drawn on the canvas: no inline styles for
      // the Content-Security-Policy to refuse.
      tooltip: {
        renderMode: "richText",
        formatter: function (p) {
          var d = p.data || {};
          if (p.dataType === "edge") {
            return word("node", d.source) + " → " + word("node", d.target) + "\n" +
              d.evidence + " · " + word("confidence-" + d.confidence);
          }
          var lines = [d.name, (d.generation < 0 ? word("cycle") : word("generation", d.generation)) + " · " + word("secondary", d.secondary)];
          if (d.superspreader) {
            lines.push(word("superspreader"));
          }
          return lines.join("\n");
        }
      },
      legend: { top: 0, data: classes.map(function (c) { return word("class-" + c); }) },
      series: [{
        type: "graph",
        layout: "force",
        top: 36,
        roam: true,
        draggable: true,
        force: { repulsion: 220, edgeLength: [60, 100], gravity: 0.08, layoutAnimation: false },
        categories: classes.map(function (c) { return { name: word("class-" + c), itemStyle: { color: colours[c] } }; }),
        label: { show: true, position: "right", fontSize: 11 },
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 9,
        lineStyle: { color: "#5f6b7a", opacity: 0.8, curveness: 0.1 },
        emphasis: { focus: "adjacency" },
        data: nodes,
        links: links
      }]
    }, { notMerge: true });
    box.setAttribute("data-drawn", String(nodes.length));
  }

  fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (v) { if (v) { draw(v); } })
    .catch(function () { /* no graph: the lists remain */ });
})();
