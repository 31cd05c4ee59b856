// Bar chart of the spending overview (billing/spending.html). The data comes from the
// page's json_script element; the table beside the chart holds the exact amounts.
// A static file, not an inline script: the Content Security Policy allows only 'self'.
(function () {
  "use strict";
  var source = document.getElementById("billing-chart-data");
  var canvas = document.getElementById("billing-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR" });
  // Okabe-Ito colours: distinguishable with the common forms of colour blindness.
  var colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"];
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series, index) {
        return {
          label: series.label,
          data: series.data,
          backgroundColor: colours[index % colours.length],
        };
      }),
    },
    options: {
      responsive: true,
      animation: false,
      locale: "nl-NL",
      plugins: {
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " + euro.format(context.parsed.y);
            },
          },
        },
      },
      scales: {
        y: {
          beginAtZero: true,
          ticks: {
            callback: function (value) {
              return euro.format(value);
            },
          },
        },
      },
    },
  });
})();
