// The tariff comparison page: the last `edgeenergy tariffs compare --save` run, from /api/v1/tariffs/compare.
// Pairs cheapest first; the pair the service is on now is marked and every other pair is priced against it.
(function () {
  "use strict";
  const TOKEN_KEY = "edgeenergy.token"; // shared with the dashboard (app.js)
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const pounds = (p) => (p / 100).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const signedPounds = (p) => (Math.abs(p) < 0.5 ? "±0.00" : (p < 0 ? "−" : "+") + pounds(Math.abs(p)));
  const dayFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "Europe/London" });
  const timeFmt = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });

  function cell(tag, text, cls) {
    const c = document.createElement(tag);
    c.textContent = text;
    if (cls) c.className = cls;
    return c;
  }

  async function load() {
    const headers = { Accept: "application/json" };
    const token = localStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch("api/v1/tariffs/compare", { headers: headers, cache: "no-store" });
    if (response.status === 401) {
      $("compare-note").textContent = "This EdgeEnergy needs its access token: enter it on the dashboard first.";
      return;
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok || !body || !body.pairs) {
      $("compare-note").textContent = (body && body.error) || "The comparison could not be read (HTTP " + response.status + ").";
      $("compare-card").classList.add("compare-empty");
      return;
    }
    render(body);
  }

  function render(c) {
    const pairs = c.pairs.slice().sort((a, b) => a.billPence - b.billPence);
    const current = pairs.find((p) => p.current) || null;
    const reference = current || pairs[0];
    // The history's last day is the day before `to` (its end is exclusive).
    const lastDay = new Date(new Date(c.to).getTime() - 1);
    $("compare-note").textContent = "Computed " + dayFmt.format(new Date(c.ran)) + " " + timeFmt.format(new Date(c.ran))
      + " on " + c.history + ": " + dayFmt.format(new Date(c.from)) + " to " + dayFmt.format(lastDay) + " ("
      + c.slots.toLocaleString("en-GB") + " half hours), region " + c.region + ". "
      + (current ? "Your tariffs now: " + current.import + " × " + current.export + "."
        : "Your current tariffs (" + (c.currentImport || "unknown") + " × " + (c.currentExport || "none") + ") are not among the pairs; differences are against the cheapest.");
    $("compare-vs-head").textContent = current ? "vs yours £" : "vs cheapest £";

    const rows = $("compare-rows");
    rows.replaceChildren();
    pairs.forEach((p, i) => {
      const tr = document.createElement("tr");
      tr.className = "pair" + (p.current ? " current" : "") + (i === 0 ? " cheapest" : "");
      tr.dataset.import = p.import;
      tr.dataset.export = p.export;
      tr.append(cell("td", String(i + 1)), cell("td", p.import), cell("td", p.export), cell("td", pounds(p.billPence), "bill"),
        cell("td", pounds(p.standingPence), "standing"), cell("td", pounds(p.savingsVsNoBatteryPence), "saving"),
        cell("td", p === reference ? "–" : signedPounds(p.billPence - reference.billPence), "versus"));
      if (p.current) tr.title = "the tariffs this home is on now";
      rows.append(tr);
    });

    // One horizontal bar per pair, the bill's length, cheapest at the top.
    const svg = $("compare-chart");
    svg.replaceChildren();
    const width = Math.max(320, Math.round(svg.parentNode.clientWidth || 600));
    const rowH = 22, left = 8, right = 70;
    const top = Math.max(1, ...pairs.map((p) => p.billPence));
    svg.setAttribute("viewBox", "0 0 " + width + " " + (pairs.length * rowH + 4));
    pairs.forEach((p, i) => {
      const w = Math.max(1, (width - left - right) * Math.max(0, p.billPence) / top);
      const bar = document.createElementNS(SVG, "rect");
      bar.setAttribute("class", "compare-bar" + (p.current ? " current" : ""));
      bar.setAttribute("x", left);
      bar.setAttribute("y", 2 + i * rowH);
      bar.setAttribute("width", w.toFixed(1));
      bar.setAttribute("height", rowH - 6);
      const title = document.createElementNS(SVG, "title");
      title.textContent = p.import + " × " + p.export + ": £" + pounds(p.billPence);
      bar.append(title);
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("class", "compare-label");
      label.setAttribute("x", (left + w + 4).toFixed(1));
      label.setAttribute("y", 2 + i * rowH + rowH - 10);
      label.textContent = "£" + pounds(p.billPence);
      svg.append(bar, label);
    });
  }

  load().catch((e) => { $("compare-note").textContent = "The comparison could not be loaded: " + e.message; });
})();
