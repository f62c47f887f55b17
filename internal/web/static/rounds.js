// cordon round page: draws the progress of the areas below the node shown
// as a bar chart (echarts, vendor/echarts.min.js) from the rows of the
// progress table, and draws it again whenever htmx swaps in a fresh table.
// The table stays the page's record; without the library there is no chart.
(function () {
  "use strict";

  var box = document.getElementById("progress-chart");
  var lib = window.echarts;
  if (!box || !lib) {
    return;
  }
  var chart = null;

  function pct(n, of) {
    return of > 0 ? Math.round(1000 * n / of) / 10 : 0;
  }

  function draw() {
    var rows = document.querySelectorAll("#progress tr[data-area]");
    if (!rows.length) {
      box.hidden = true;
      return;
    }
    var names = [], sampled = [], resulted = [];
    rows.forEach(function (tr) {
      var n = function (a) { return parseInt(tr.getAttribute("data-" + a), 10) || 0; };
      names.push(tr.getAttribute("data-area"));
      sampled.push(pct(n("sampled"), n("expected")));
      resulted.push(pct(n("resulted"), n("tubes")));
    });
    box.hidden = false;
    // Room for every area's two bars; a CSSOM style, which the policy allows.
    box.style.height = Math.max(12, 2.25 * names.length + 4) + "rem";
    if (!chart) {
      chart = lib.init(box, null, { renderer: "canvas" });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    chart.setOption({
      animation: false,
      // Rich-text tooltips are drawn on the canvas: no inline styles for
      // the Content-Security-Policy to refuse.
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return v + "%"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: names, inverse: true },
      series: [
        { name: box.getAttribute("data-sampled"), type: "bar", data: sampled, itemStyle: { color: "#0b5cad" } },
        { name: box.getAttribute("data-resulted"), type: "bar", data: resulted, itemStyle: { color: "#1d7a46" } }
      ]
    }, { notMerge: true });
    chart.resize();
  }

  draw();
  document.addEventListener("htmx:after:swap", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
