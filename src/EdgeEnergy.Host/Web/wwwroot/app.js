// EdgeEnergy dashboard: plain JavaScript, no build step, nothing loaded from outside.
// Reads /api/v1/status every 5 s and /api/v1/plan when the plan changes (and every minute), draws the plan as an SVG.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const TZ = "Europe/London";
  const STATUS_EVERY_MS = 5000;
  const PLAN_EVERY_MS = 60000;
  const TOKEN_KEY = "edgeenergy.token";

  const state = { status: null, plan: null, planCreated: null, selected: -1, pinned: false, lastPlanFetch: 0, needToken: false, timer: 0 };
  const $ = (id) => document.getElementById(id);

  // ---------- formatting ----------
  const timeFmt = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hour12: false });
  const dayFmt = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, weekday: "short", day: "numeric", month: "short" });
  const hourFmt = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", hour12: false });
  const time = (iso) => timeFmt.format(new Date(iso));
  const power = (w) => {
    if (w === null || w === undefined || !isFinite(w)) return "–";
    const a = Math.abs(w);
    return a >= 1000 ? (a / 1000).toFixed(a >= 10000 ? 1 : 2) + " kW" : Math.round(a) + " W";
  };
  const money = (p) => {
    if (p === null || p === undefined || !isFinite(p)) return "–";
    const sign = p < 0 ? "−" : "";
    const a = Math.abs(p);
    return a >= 100 ? sign + "£" + (a / 100).toFixed(2) : sign + a.toFixed(1) + "p";
  };
  const age = (seconds) => {
    if (seconds === null || seconds === undefined) return "never";
    if (seconds < 90) return Math.round(seconds) + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + " h ago";
    return Math.round(seconds / 86400) + " days ago";
  };
  const duration = (seconds) => {
    const m = Math.max(0, Math.round(seconds / 60));
    return m >= 60 ? Math.floor(m / 60) + " h " + (m % 60) + " min" : m + " min";
  };
  const modeName = (m) => (m === "self-use" ? "Self-use" : m ? m.charAt(0).toUpperCase() + m.slice(1) : "–");
  const sentence = (t) => (/[.!?]$/.test(t) ? t : t + ".");
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); };
  const setText = (id, text) => { $(id).textContent = text; };

  // ---------- API ----------
  function token() {
    const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (m) {
      localStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return localStorage.getItem(TOKEN_KEY);
  }

  async function api(path, options) {
    const headers = { Accept: "application/json" };
    const t = token();
    if (t) headers.Authorization = "Bearer " + t;
    const response = await fetch(path, Object.assign({ headers: headers, cache: "no-store" }, options || {}));
    if (response.status === 401) {
      state.needToken = true;
      throw new Error("token");
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { ok: response.ok, status: response.status, body: body };
  }

  // ---------- rendering: banners and header ----------
  function renderBanners(s, error) {
    const host = $("banners");
    clear(host);
    const add = (kind, icon, title, detail) => {
      const div = document.createElement("div");
      div.className = "banner banner-" + kind;
      div.setAttribute("role", kind === "error" ? "alert" : "status");
      const i = document.createElement("span");
      i.className = "icon";
      if (icon === "clock") {
        // Drawn, not a glyph: a kiosk or headless browser may have no emoji font.
        const svg = el("svg", { viewBox: "0 0 20 20", width: 20, height: 20, "aria-hidden": "true" });
        svg.append(el("circle", { cx: 10, cy: 10, r: 8, fill: "none", stroke: "currentColor", "stroke-width": 2 }));
        svg.append(el("path", { d: "M10 5v5l3.5 2.5", fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round" }));
        i.append(svg);
      } else {
        i.textContent = icon;
      }
      const body = document.createElement("div");
      const strong = document.createElement("strong");
      strong.textContent = title;
      const p = document.createElement("span");
      p.textContent = detail;
      body.append(strong, p);
      div.append(i, body);
      host.append(div);
    };
    if (error) add("error", "⚠", "Cannot reach EdgeEnergy", error);
    if (!s) return;
    if (s.mode === "shadow") {
      add("shadow", "◐", "Shadow mode: EdgeEnergy is watching, not in charge",
        "It plans and decides as usual and records what it would have done, but writes nothing to the inverter, the relays or Home Assistant."
        + (s.modeConfirmUntil ? " Waiting for a second \u201cactive\u201d before " + time(s.modeConfirmUntil) + " to take control." : " Set Mode to active in Home Assistant to hand it control."));
    }
    if (s.ab) {
      add("shadow", "◑", s.ab.text,
        s.ab.running
          ? "Control:AbSchedule " + s.ab.schedule + ": EdgeEnergy is in control on A days and hands the inverter back on B days, so its days can be compared with the incumbent's (edgeenergy report)."
          : "Mode is shadow, so no day is active until Mode is set to active.");
    }
    if (s.fallback && s.fallback.active) {
      add("fallback", "⚠", "Fallback rules in charge" + (s.fallback.since ? " since " + time(s.fallback.since) : ""),
        sentence(s.fallback.cause || "The plan is not being followed") + " The battery runs on safe rules until this clears.");
    }
    if (s.override && s.override.active) {
      const o = s.override;
      add("override", "clock", "Manual override: " + modeName(o.mode) + (o.powerW ? " at " + power(o.powerW) : "") + " for " + duration(o.remainingSeconds) + " more",
        sentence(o.reason || "Set by a user") + (o.until ? " Ends at " + time(o.until) + ", then the plan resumes." : ""));
    }
  }

  function renderHealth(status) {
    const pill = $("health");
    pill.className = "pill pill-" + status;
    pill.textContent = status;
  }

  // ---------- rendering: now, flows, today ----------
  function renderNow(s) {
    const r = s.recommendation;
    const badge = $("now-mode");
    if (!r) {
      badge.className = "mode-badge mode-unknown";
      badge.textContent = "–";
      setText("now-power", "waiting");
      setText("now-source", "");
      setText("now-reason", "No decision yet: the control loop has not run since start.");
      setText("now-valid", "");
      return;
    }
    badge.className = "mode-badge mode-" + r.mode;
    badge.textContent = modeName(r.mode);
    const dir = r.powerW > 0 ? " discharging" : r.powerW < 0 ? " charging" : "";
    setText("now-power", r.powerW === 0 ? "0 W" : power(r.powerW) + dir);
    const src = $("now-source");
    clear(src);
    const tag = document.createElement("span");
    tag.className = "source-tag";
    tag.textContent = r.source;
    src.append("from ", tag);
    setText("now-reason", r.reason);
    let next = "";
    const plan = state.plan;
    if (plan && plan.nowSlot >= 0 && r.source === "plan") {
      const cur = plan.slots[plan.nowSlot].mode;
      for (let i = plan.nowSlot + 1; i < plan.slots.length; i++) {
        if (plan.slots[i].mode !== cur) {
          next = " · next: " + modeName(plan.slots[i].mode) + " from " + time(plan.slots[i].start);
          break;
        }
      }
    }
    setText("now-valid", "until " + time(r.validUntil) + next);
    const facts = [];
    if (s.telemetry) facts.push("battery " + Math.round(s.telemetry.batterySocPercent) + "%");
    if (plan && plan.nowSlot >= 0) {
      const slot = plan.slots[plan.nowSlot];
      facts.push("import " + slot.importPence.toFixed(1) + "p/kWh", "export " + slot.exportPence.toFixed(1) + "p/kWh");
    }
    const box = $("now-facts");
    clear(box);
    for (const f of facts) box.append(Object.assign(document.createElement("span"), { textContent: f }));
  }

  function renderFlows(t) {
    const svg = $("flow");
    clear(svg);
    if (!t) {
      svg.append(el("text", { x: 160, y: 130, "text-anchor": "middle", class: "muted", fill: "currentColor" }, "No inverter reading yet"));
      return;
    }
    const hub = { x: 160, y: 130 };
    const R = 32;
    const charging = t.batteryPowerW < 0, discharging = t.batteryPowerW > 0;
    const nodes = {
      solar: { x: 160, y: 52, label: "Solar", value: power(t.pvPowerW), labelY: 52 - R - 7 },
      grid: { x: 50, y: 130, label: t.gridPowerW > 0 ? "Grid · importing" : t.gridPowerW < 0 ? "Grid · exporting" : "Grid", value: power(t.gridPowerW) },
      home: { x: 270, y: 130, label: t.immersionPowerW > 0 ? "Home · heater " + power(t.immersionPowerW) : "Home", value: power(t.loadPowerW) },
      battery: { x: 160, y: 206, label: "Battery · " + (charging ? "charging " : discharging ? "discharging " : "idle ") + (charging || discharging ? power(t.batteryPowerW) : ""), value: Math.round(t.batterySocPercent) + "%" },
    };
    // A link is drawn from the node to the hub; 'reverse' makes the dashes run hub → node.
    const link = (n, watts, towardHub, extra) => {
      const active = Math.abs(watts) >= 20;
      const cls = "flow-link" + (active ? " active" : "") + (active && !towardHub ? " reverse" : "") + (extra ? " " + extra : "");
      svg.append(el("line", { x1: n.x, y1: n.y, x2: hub.x, y2: hub.y, class: cls }));
    };
    link(nodes.solar, t.pvPowerW, true);
    link(nodes.grid, t.gridPowerW, t.gridPowerW > 0, t.gridPowerW > 0 ? "grid-import" : "");
    link(nodes.home, t.loadPowerW, false);
    link(nodes.battery, t.batteryPowerW, discharging, discharging ? "battery-discharge" : charging ? "battery-charge" : "");
    svg.append(el("circle", { cx: hub.x, cy: hub.y, r: 5, class: "hub" }));
    for (const key in nodes) {
      const n = nodes[key];
      const g = el("g", { class: "flow-node flow-" + key });
      g.append(el("circle", { cx: n.x, cy: n.y, r: R }));
      if (key === "battery") {
        g.append(el("circle", { cx: n.x, cy: n.y, r: R - 4, class: "soc-track" }));
        const soc = Math.max(0, Math.min(100, t.batterySocPercent));
        const c = 2 * Math.PI * (R - 4);
        g.append(el("circle", {
          cx: n.x, cy: n.y, r: R - 4, class: "soc-ring", "stroke-dasharray": (c * soc / 100).toFixed(1) + " " + c.toFixed(1),
          transform: "rotate(-90 " + n.x + " " + n.y + ")",
        }));
      }
      g.append(el("text", { x: n.x, y: n.y + 4.5, class: "value" }, n.value));
      g.append(el("text", { x: n.x, y: n.labelY || n.y + R + 15, class: "label" }, n.label));
      svg.append(g);
    }
    if (t.ageSeconds > 60) {
      svg.append(el("text", { x: 8, y: 14, "text-anchor": "start", class: "stale-reading" }, "reading " + age(t.ageSeconds)));
    }
  }

  function renderToday(c) {
    if (!c) {
      ["cost-actual", "cost-none", "cost-saved"].forEach((id) => setText(id, "–"));
      setText("cost-since", "Not known yet today.");
      return;
    }
    setText("cost-actual", money(c.costPence));
    setText("cost-none", money(c.noBatteryCostPence));
    const saved = $("cost-saved");
    saved.textContent = money(c.savingsPence);
    saved.classList.toggle("negative", c.savingsPence < 0);
    setText("cost-since", "since " + time(c.since) + " (" + dayFmt.format(new Date(c.since)) + "), settled half hours");
  }

  function renderLists(s, health) {
    const sources = $("sources");
    clear(sources);
    for (const f of s.sources) {
      const li = document.createElement("li");
      const left = document.createElement("div");
      const dot = document.createElement("span");
      dot.className = "dot " + (f.stale ? "bad" : f.lastError ? "warn" : "ok");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = f.source;
      left.append(dot, name);
      if (f.lastError) {
        const d = document.createElement("div");
        d.className = "detail";
        d.textContent = f.lastError;
        left.append(d);
      }
      const right = document.createElement("div");
      right.className = "right";
      right.textContent = age(f.ageSeconds) + (f.stale ? " · stale" : "");
      right.title = "limit " + duration(f.maxAgeSeconds);
      li.append(left, right);
      sources.append(li);
    }
    if (!s.sources.length) sources.append(Object.assign(document.createElement("li"), { textContent: "No data source has reported yet." }));

    const comps = $("components");
    clear(comps);
    for (const c of (health && health.components) || []) {
      const li = document.createElement("li");
      const left = document.createElement("div");
      const dot = document.createElement("span");
      dot.className = "dot " + (c.state === "healthy" ? "ok" : c.state === "degraded" ? "warn" : "bad");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = c.component;
      const d = document.createElement("div");
      d.className = "detail";
      d.textContent = c.detail;
      left.append(dot, name, d);
      const right = document.createElement("div");
      right.className = "right";
      right.textContent = c.state;
      li.append(left, right);
      comps.append(li);
    }
    if (!comps.firstChild) comps.append(Object.assign(document.createElement("li"), { textContent: "No component has reported yet." }));
  }

  // ---------- rendering: the plan chart ----------
  // Cheap, middling or dear within this plan's horizon (thirds of its prices); negative prices stand apart.
  function priceClasser(prices) {
    const sorted = prices.slice().sort((a, b) => a - b);
    const lo = sorted[Math.floor(sorted.length / 3)];
    const hi = sorted[Math.floor(2 * sorted.length / 3)];
    return (p) => (p < 0 ? "negative" : p < lo ? "cheap" : p < hi ? "mid" : "dear");
  }

  function niceStep(range, target) {
    const raw = range / Math.max(1, target);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const n = raw / mag;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
  }

  function renderPlan() {
    const plan = state.plan;
    const svg = $("chart");
    clear(svg);
    if (!plan || !plan.slots.length) {
      svg.setAttribute("viewBox", "0 0 600 80");
      svg.append(el("text", { x: 300, y: 44, "text-anchor": "middle", fill: "currentColor" }, "No plan yet."));
      setText("plan-meta", "");
      return;
    }
    const slots = plan.slots;
    const n = slots.length;
    const width = Math.max(320, Math.round(svg.parentNode.clientWidth || 800));
    const narrow = width < 560;
    const height = narrow ? 270 : 320;
    const m = { left: narrow ? 34 : 44, right: narrow ? 34 : 44, top: 20, bottom: 22 };
    const laneH = 14;
    const laneGap = 4;
    const lanesTop = height - m.bottom - 2 * laneH - laneGap - 6;
    const priceTop = m.top;
    const priceBottom = lanesTop - 10;
    const x0 = m.left;
    const x1 = width - m.right;
    const bw = (x1 - x0) / n;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    state.drawnWidth = width;
    svg.setAttribute("data-slots", n);

    // Price scale (left) and SoC scale (right, %).
    const prices = slots.map((s) => s.importPence);
    let pMin = Math.min(0, ...prices);
    let pMax = Math.max(5, ...prices);
    const step = niceStep(pMax - pMin, narrow ? 4 : 5);
    pMin = Math.floor(pMin / step) * step;
    pMax = Math.ceil(pMax / step) * step;
    const py = (p) => priceBottom - (p - pMin) / (pMax - pMin) * (priceBottom - priceTop);
    const sy = (pct) => priceBottom - pct / 100 * (priceBottom - priceTop);

    const axis = el("g", { class: "axis" });
    for (let p = pMin; p <= pMax + 1e-9; p += step) {
      axis.append(el("line", { x1: x0, x2: x1, y1: py(p), y2: py(p), class: "grid-line" }));
      axis.append(el("text", { x: x0 - 6, y: py(p) + 4, "text-anchor": "end" }, Math.round(p) + "p"));
    }
    for (let pct = 0; pct <= 100; pct += 50) {
      axis.append(el("text", { x: x1 + 6, y: sy(pct) + 4, "text-anchor": "start" }, pct + "%"));
    }
    // Hour labels in UK time, every 2 h (3 h on a phone), on the slot boundary.
    const every = narrow ? 3 : 2;
    for (let i = 0; i <= n; i++) {
      const t = new Date(i < n ? slots[i].start : slots[n - 1].end);
      if (t.getUTCMinutes() !== 0) continue;
      const hour = parseInt(hourFmt.format(t), 10);
      if (hour % every !== 0) continue;
      const x = x0 + i * bw;
      axis.append(el("line", { x1: x, x2: x, y1: priceBottom, y2: priceBottom + 4 }));
      axis.append(el("text", { x: x, y: height - 6, "text-anchor": "middle" }, hour === 0 ? dayFmt.format(t).split(" ").slice(0, 1)[0] : String(hour).padStart(2, "0")));
    }
    svg.append(axis);
    svg.append(el("line", { x1: x0, x2: x1, y1: py(0), y2: py(0), class: "zero-line" }));

    // Price bars.
    const bars = el("g", { class: "prices" });
    const priceClass = priceClasser(prices);
    slots.forEach((s, i) => {
      const y = py(Math.max(0, s.importPence));
      const h = Math.max(1, Math.abs(py(s.importPence) - py(0)));
      bars.append(el("rect", {
        x: x0 + i * bw + bw * 0.1, y: s.importPence >= 0 ? y : py(0), width: Math.max(1, bw * 0.8), height: h,
        class: "price-bar " + priceClass(s.importPence) + (s.pricesEstimated ? " estimated" : ""), "data-slot": i,
      }));
    });
    svg.append(bars);

    // SoC line (end of each slot), starting from the plan's starting state.
    const cap = plan.battery.capacityKwh || 1;
    const pts = [[x0, sy(100 * plan.battery.startSocKwh / cap)]].concat(slots.map((s, i) => [x0 + (i + 1) * bw, sy(s.socPercent)]));
    const d = pts.map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1)).join(" ");
    svg.append(el("path", { d: d + " L" + x1 + " " + sy(0) + " L" + x0 + " " + sy(0) + " Z", class: "soc-area" }));
    svg.append(el("path", { d: d, class: "soc-line" }));

    // Lanes: the planned action, then the immersion heater.
    const lanes = el("g", { class: "lanes" });
    const immersionMax = Math.max(0.01, ...slots.map((s) => Object.values(s.immersionKwh).reduce((a, b) => a + b, 0)));
    slots.forEach((s, i) => {
      lanes.append(el("rect", { x: x0 + i * bw, y: lanesTop, width: Math.max(1, bw), height: laneH, class: "mode-block " + s.mode, "data-slot": i }));
      const imm = Object.values(s.immersionKwh).reduce((a, b) => a + b, 0);
      if (imm > 0.01) {
        lanes.append(el("rect", {
          x: x0 + i * bw, y: lanesTop + laneH + laneGap, width: Math.max(1, bw), height: laneH,
          class: "immersion-block", opacity: (0.35 + 0.65 * imm / immersionMax).toFixed(2), "data-slot": i,
        }));
      }
    });
    lanes.append(el("text", { x: x0 - 6, y: lanesTop + laneH - 3, "text-anchor": "end", class: "lane-label" }, narrow ? "plan" : "action"));
    lanes.append(el("text", { x: x0 - 6, y: lanesTop + 2 * laneH + laneGap - 3, "text-anchor": "end", class: "lane-label" }, narrow ? "imm." : "heater"));
    svg.append(lanes);

    // Shade the past and draw the now-line.
    const start = new Date(slots[0].start).getTime();
    const slotMs = plan.slotMinutes * 60000;
    const now = state.status ? new Date(state.status.nowUtc).getTime() : Date.now();
    const nowX = x0 + (now - start) / slotMs * bw;
    if (nowX > x0 && nowX < x1) {
      svg.append(el("rect", { x: x0, y: priceTop, width: nowX - x0, height: lanesTop + 2 * laneH + laneGap - priceTop, class: "past" }));
      svg.append(el("line", { x1: nowX, x2: nowX, y1: priceTop - 6, y2: lanesTop + 2 * laneH + laneGap + 2, class: "now-line" }));
      const anchor = nowX < x0 + 40 ? "start" : nowX > x1 - 40 ? "end" : "middle";
      svg.append(el("text", { x: anchor === "start" ? nowX - 3 : anchor === "end" ? nowX + 3 : nowX, y: priceTop - 9, "text-anchor": anchor, class: "now-label" }, "now " + timeFmt.format(new Date(now))));
    }

    // Selection highlight and hit areas (hover on desktop, tap on a phone).
    const sel = el("rect", { x: 0, y: priceTop, width: bw, height: lanesTop + 2 * laneH + laneGap - priceTop, class: "selected", visibility: "hidden" });
    svg.append(sel);
    const hits = el("g", { class: "hits" });
    slots.forEach((s, i) => {
      const r = el("rect", { x: x0 + i * bw, y: priceTop, width: bw, height: height - m.bottom - priceTop, class: "hit", "data-slot": i });
      r.append(el("title", {}, time(s.start) + " " + modeName(s.mode) + ": " + s.reason));
      r.addEventListener("mouseenter", () => { if (!state.pinned) selectSlot(i); });
      r.addEventListener("click", () => { state.pinned = true; selectSlot(i); });
      hits.append(r);
    });
    hits.addEventListener("mouseleave", () => { if (!state.pinned) selectSlot(plan.nowSlot >= 0 ? plan.nowSlot : 0); });
    svg.append(hits);
    state.selRect = sel;
    state.x0 = x0;
    state.bw = bw;

    const meta = $("plan-meta");
    clear(meta);
    const pieces = ["made " + time(plan.createdUtc), plan.status, n + " half hours", "objective " + money(plan.objectivePence)];
    if (plan.expectedSessionRewardPence != null) pieces.push("Saving Session reward expected " + money(plan.expectedSessionRewardPence));
    if (state.status && state.status.fallback.active) pieces.push("not followed while the fallback is in charge");
    else if (state.status && state.status.override.active) pieces.push("paused by the override");
    pieces.forEach((text, i) => {
      if (i) meta.append(" · ");
      meta.append(Object.assign(document.createElement("span"), { className: "nowrap", textContent: text }));
    });
    const keep = state.selected >= 0 && state.selected < n ? state.selected : (plan.nowSlot >= 0 ? plan.nowSlot : 0);
    selectSlot(keep);
  }

  function selectSlot(i) {
    const plan = state.plan;
    if (!plan || i < 0 || i >= plan.slots.length) return;
    state.selected = i;
    const s = plan.slots[i];
    if (state.selRect) {
      state.selRect.setAttribute("x", state.x0 + i * state.bw);
      state.selRect.setAttribute("visibility", "visible");
    }
    const box = $("slot-detail");
    clear(box);
    const when = document.createElement("div");
    when.className = "when";
    when.textContent = time(s.start) + "–" + time(s.end) + " · " + modeName(s.mode) + (i === plan.nowSlot ? " · now" : "");
    const why = document.createElement("div");
    why.className = "why";
    why.textContent = s.reason;
    const facts = document.createElement("div");
    facts.className = "facts";
    const imm = Object.values(s.immersionKwh).reduce((a, b) => a + b, 0);
    const items = [
      "import " + s.importPence.toFixed(2) + "p" + (s.pricesEstimated ? " (estimate)" : ""),
      "export " + s.exportPence.toFixed(2) + "p",
      "battery " + Math.round(s.socPercent) + "% at end",
      s.chargeKwh > 0.005 ? "charge " + s.chargeKwh.toFixed(2) + " kWh" : null,
      s.dischargeKwh > 0.005 ? "discharge " + s.dischargeKwh.toFixed(2) + " kWh" : null,
      "grid " + (s.importKwh > 0.005 ? "+" + s.importKwh.toFixed(2) : s.exportKwh > 0.005 ? "−" + s.exportKwh.toFixed(2) : "0") + " kWh",
      "load " + s.loadKwh.toFixed(2) + " kWh",
      "solar " + s.pvKwh.toFixed(2) + " kWh",
      imm > 0.005 ? "heater " + imm.toFixed(2) + " kWh" : null,
    ].filter(Boolean);
    for (const f of items) facts.append(Object.assign(document.createElement("span"), { textContent: f }));
    box.append(when, why, facts);
  }

  // ---------- polling ----------
  // The daily report (edgeenergy report's figures for the last 7 UK days): per day three bars (metered, EdgeEnergy
  // with its error bar, no battery) and a tick at perfect foresight; an incomplete day says why, with no bars.
  function renderReport(report) {
    const svg = $("report-chart");
    clear(svg);
    const table = $("report-causes");
    table.replaceChildren();
    if (!report || !report.days.length) {
      svg.setAttribute("viewBox", "0 0 600 40");
      setText("report-note", "No report yet: it runs at 00:10 UK time each day (and 5 minutes after a start).");
      return;
    }
    setText("report-note", "computed " + dayFmt.format(new Date(report.computed)) + " " + time(report.computed) + "; pence");
    const days = report.days;
    const width = Math.max(320, Math.round(svg.parentNode.clientWidth || 800));
    const height = 200;
    const m = { left: 40, right: 8, top: 10, bottom: 34 };
    const complete = days.filter((d) => !d.incompleteReason);
    const top = Math.max(1, ...complete.map((d) => Math.max(d.actualPence, d.edgeEnergyPence + d.errorBarPence, d.noBatteryPence)));
    const y = (p) => m.top + (height - m.top - m.bottom) * (1 - Math.max(0, p) / top);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    const groupW = (width - m.left - m.right) / days.length;
    const barW = Math.max(4, Math.min(22, groupW / 4.5));
    days.forEach((d, i) => {
      const g = el("g", { class: "report-day", "data-date": d.date });
      const x0 = m.left + i * groupW + (groupW - 3 * barW) / 2;
      const label = dayFmt.format(new Date(d.date + "T12:00:00Z"));
      g.append(el("text", { x: m.left + (i + 0.5) * groupW, y: height - 18, "text-anchor": "middle", class: "day-label" }, label));
      if (d.incompleteReason) {
        g.append(el("text", { x: m.left + (i + 0.5) * groupW, y: height / 2, "text-anchor": "middle", class: "report-incomplete" }, "incomplete"));
        g.append(el("title", {}, label + ": incomplete — " + d.incompleteReason));
        svg.append(g);
        return;
      }
      [["actual", d.actualPence], ["edgeenergy", d.edgeEnergyPence], ["nobattery", d.noBatteryPence]].forEach(([kind, p], k) => {
        const bar = el("rect", { class: "bar " + kind, x: x0 + k * barW, y: y(p), width: barW - 1, height: Math.max(0, y(0) - y(p)) });
        bar.append(el("title", {}, label + " " + kind + ": " + p.toFixed(1) + "p" + (d.standingPence != null ? " (standing charge " + d.standingPence.toFixed(1) + "p)" : "")));
        g.append(bar);
      });
      const cx = x0 + 1.5 * barW - 0.5;
      g.append(el("line", { class: "errorbar", x1: cx, x2: cx, y1: y(d.edgeEnergyPence + d.errorBarPence), y2: y(d.edgeEnergyPence - d.errorBarPence) }));
      g.append(el("line", { class: "perfect-tick", x1: x0 - 2, x2: x0 + 3 * barW + 1, y1: y(d.perfectPence), y2: y(d.perfectPence) }));
      svg.append(g);
    });
    // The causes of the latest complete day: where EdgeEnergy's bill and perfect foresight's differ.
    const last = complete[complete.length - 1];
    if (last && last.causes) {
      const head = document.createElement("tr");
      ["EdgeEnergy − perfect, " + dayFmt.format(new Date(last.date + "T12:00:00Z")), "pence"].forEach((t) => {
        const th = document.createElement("th");
        th.textContent = t;
        head.append(th);
      });
      table.append(head);
      [["load forecast", last.causes.loadForecastPence], ["solar forecast", last.causes.pvForecastPence], ["prices (estimated → published)", last.causes.pricesPence],
        ["horizon", last.causes.horizonPence], ["execution", last.causes.executionPence]].forEach(([name, p]) => {
        const tr = document.createElement("tr");
        tr.className = "cause";
        [name, p.toFixed(1)].forEach((t) => {
          const td = document.createElement("td");
          td.textContent = t;
          tr.append(td);
        });
        table.append(tr);
      });
    }
  }

  // How good the forecasts are (the forecast-skill job, hourly): per quantity and lead band the MAE and bias of the
  // forecasts the plans stood on, beside persistence's MAE on the same half hours. Figures are never shown as 0 for
  // "no data": a band short of history says so, with how many half hours it has.
  const kwh = (v) => (v === null || v === undefined || !isFinite(v) ? "–" : v.toFixed(3));
  const signedKwh = (v) => (v === null || v === undefined || !isFinite(v) ? "–" : (v < 0 ? "−" : "+") + Math.abs(v).toFixed(3));
  function renderSkill(skill) {
    const table = $("skill-table");
    table.replaceChildren();
    if (!skill) {
      setText("skill-note", "Not scored yet: the forecasts are scored every hour (first a few minutes after a start).");
      return;
    }
    if (!skill.enoughHistory) {
      setText("skill-note", "Not enough history yet (" + skill.slots + " slots).");
      return;
    }
    const days = Math.round((new Date(skill.to) - new Date(skill.from)) / 86400000);
    setText("skill-note", "last " + days + " days, " + skill.slots + " slot forecasts; computed " + time(skill.computed));
    const cell = (tag, text, attrs) => {
      const c = document.createElement(tag);
      c.textContent = text;
      for (const k in attrs || {}) c.setAttribute(k, attrs[k]);
      return c;
    };
    const head = document.createElement("tr");
    ["ahead", "MAE", "bias", "persistence MAE"].forEach((t) => head.append(cell("th", t, { scope: "col" })));
    table.append(head);
    [["load", "Load"], ["solar", "Solar"]].forEach(([quantity, name]) => {
      const bands = skill.bands.filter((b) => b.quantity === quantity);
      if (!bands.length) return;
      const group = document.createElement("tr");
      group.className = "skill-quantity";
      group.append(cell("th", name, { colspan: 4, scope: "rowgroup" }));
      table.append(group);
      bands.forEach((b) => {
        const tr = document.createElement("tr");
        tr.className = "skill-band";
        tr.dataset.quantity = b.quantity;
        tr.dataset.lead = b.lead;
        tr.append(cell("th", b.fromHours + "–" + b.toHours + " h", { scope: "row" }));
        if (b.maeKwh === null) {
          tr.append(cell("td", "not enough history yet (" + b.slots + " slots)", { colspan: 3, class: "skill-short" }));
        } else {
          const beats = b.maeKwh < b.persistenceMaeKwh;
          tr.append(cell("td", kwh(b.maeKwh), { "data-figure": "mae", class: beats ? "skill-beats" : "skill-loses",
            title: beats ? "better than persistence" : "no better than persistence" }));
          tr.append(cell("td", signedKwh(b.biasKwh), { "data-figure": "bias", title: b.biasKwh > 0 ? "the forecast ran low" : "the forecast ran high" }));
          tr.append(cell("td", kwh(b.persistenceMaeKwh), { "data-figure": "persistence" }));
        }
        table.append(tr);
      });
    });
  }

  // Intelligent Octopus Go's dispatches that have not ended (hidden when not on it): the plan prices a smart one's
  // half hours off-peak, and the car is left to Octopus during any of them.
  function renderDispatches(d) {
    const card = $("dispatch-card");
    const list = $("dispatch-list");
    list.replaceChildren();
    if (!d) {
      card.classList.add("hidden");
      return;
    }
    card.classList.remove("hidden");
    const cap = d.dailySmartCapHours ? "; cheap smart charging capped at " + d.dailySmartCapHours + " h a day" : "";
    setText("dispatch-note", d.upcoming.length + " planned, read " + time(d.fetched) + cap);
    d.upcoming.forEach((x) => {
      const li = document.createElement("li");
      li.className = "dispatch dispatch-" + x.kind;
      li.dataset.start = x.start;
      const energy = x.energyKwh === null || x.energyKwh === undefined ? "" : " · " + x.energyKwh.toFixed(1) + " kWh";
      li.textContent = time(x.start) + "–" + time(x.end) + " " + (x.kind === "smart" ? "smart (off-peak)" : "boost (peak)") + energy;
      list.append(li);
    });
  }

  async function refresh() {
    clearTimeout(state.timer);
    try {
      const status = await api("api/v1/status");
      if (!status.ok || !status.body) throw new Error("HTTP " + status.status);
      state.needToken = false;
      $("token-form").classList.add("hidden");
      state.status = status.body;
      const s = state.status;
      renderBanners(s, null);
      renderHealth(s.health.status);
      renderFlows(s.telemetry);
      renderToday(s.costToday);
      renderReport(s.report);
      renderSkill(s.forecastSkill);
      renderDispatches(s.dispatches);
      renderLists(s, s.health);
      setText("updated", "updated " + timeFmt.format(new Date(s.nowUtc)));
      const created = s.plan ? s.plan.createdUtc : null;
      if (created !== state.planCreated || Date.now() - state.lastPlanFetch > PLAN_EVERY_MS) {
        const plan = created ? await api("api/v1/plan") : null;
        state.plan = plan && plan.ok ? plan.body : null;
        state.planCreated = created;
        state.lastPlanFetch = Date.now();
        renderPlan();
      } else if (state.plan) {
        renderPlan();
      }
      renderNow(s);
    } catch (e) {
      if (state.needToken) {
        $("token-form").classList.remove("hidden");
        renderHealth("unknown");
        $("health").textContent = "token needed";
        return; // polling resumes when a token is entered
      }
      renderBanners(state.status, "The last update failed (" + (e && e.message ? e.message : "network error") + "); retrying.");
    }
    state.timer = setTimeout(refresh, STATUS_EVERY_MS);
  }

  function start() {
    $("token-entry").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const v = $("token-input").value.trim();
      if (v) localStorage.setItem(TOKEN_KEY, v);
      $("token-input").value = "";
      refresh();
    });
    $("refresh-prices").addEventListener("click", async () => {
      const b = $("refresh-prices");
      b.disabled = true;
      setText("refresh-result", "fetching…");
      try {
        const r = await api("api/v1/prices/update", { method: "POST" });
        setText("refresh-result", r.body ? (r.body.message || r.body.error || "") : "HTTP " + r.status);
        state.lastPlanFetch = 0;
        refresh();
      } catch (e) {
        setText("refresh-result", state.needToken ? "token needed" : "failed: " + e.message);
      } finally {
        b.disabled = false;
      }
    });
    document.addEventListener("keydown", (ev) => {
      if (!state.plan) return;
      if (ev.key === "ArrowRight") { state.pinned = true; selectSlot(Math.min(state.plan.slots.length - 1, state.selected + 1)); }
      if (ev.key === "ArrowLeft") { state.pinned = true; selectSlot(Math.max(0, state.selected - 1)); }
      if (ev.key === "Escape") { state.pinned = false; selectSlot(state.plan.nowSlot >= 0 ? state.plan.nowSlot : 0); }
    });
    // Redraw the chart for its container's real width (phone rotation, window resize, late layout), at once:
    // drawing 48 slots takes well under a millisecond.
    const redrawIfResized = () => {
      const w = Math.round($("chart").parentNode.clientWidth);
      if (state.plan && Math.abs(w - (state.drawnWidth || 0)) > 2) renderPlan();
    };
    if (window.ResizeObserver) new ResizeObserver(redrawIfResized).observe($("chart").parentNode);
    window.addEventListener("resize", redrawIfResized);
    refresh();
  }

  start();
})();
