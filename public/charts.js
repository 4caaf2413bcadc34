// Draws every element with a `data-chart` attribute using the bundled
// echarts script. The server builds the chart options (JSON, with charming);
// this file only hands them to echarts. It watches the page, so charts that
// appear after client-side navigation, or whose options change, are drawn
// too. Without JavaScript the tables beside each chart carry the numbers.
(function () {
  "use strict";

  var drawn = new WeakMap();

  function draw(element) {
    if (typeof window.echarts === "undefined") {
      return;
    }
    var json = element.getAttribute("data-chart");
    if (!json || drawn.get(element) === json) {
      return;
    }
    var options;
    try {
      options = JSON.parse(json);
    } catch (error) {
      element.setAttribute("data-chart-error", "invalid chart options");
      return;
    }
    var chart = window.echarts.getInstanceByDom(element) || window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(options, true);
    drawn.set(element, json);
    element.setAttribute("data-chart-ready", "true");
  }

  function drawAll(root) {
    if (root.nodeType !== 1) {
      return;
    }
    if (root.hasAttribute("data-chart")) {
      draw(root);
    }
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  // Charts removed by navigation are disposed, or echarts would keep them.
  function disposeAll(root) {
    if (root.nodeType !== 1) {
      return;
    }
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-chart-ready]"));
    if (root.hasAttribute("data-chart-ready")) {
      elements.push(root);
    }
    elements.forEach(function (element) {
      var chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.dispose();
      }
    });
  }

  function start() {
    drawAll(document.body);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        if (mutation.type === "attributes") {
          draw(mutation.target);
        } else {
          mutation.removedNodes.forEach(disposeAll);
          mutation.addedNodes.forEach(drawAll);
        }
      });
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-chart"] });

    window.addEventListener("resize", function () {
      document.querySelectorAll("[data-chart-ready]").forEach(function (element) {
        var chart = window.echarts.getInstanceByDom(element);
        if (chart) {
          chart.resize();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
