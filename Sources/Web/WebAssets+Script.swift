extension WebAssets {
  /// The page script: hash routing, the views, sortable tables, live refresh (no outside code).
  static let appJS = #"""
    "use strict";
    // perfsh serve: one page, the view in the URL hash (#/s/3/top?cum=1) so a reload shows the same state.
    const base = location.pathname.replace(/\/?$/, "/");
    const main = () => document.getElementById("main");
    let timer = null;

    function esc(s) {
      return String(s == null ? "" : s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
    }
    function parseHash() {
      const h = location.hash.replace(/^#/, "") || "/";
      const [path, q] = h.split("?");
      return { parts: path.split("/").filter(Boolean), params: new URLSearchParams(q || "") };
    }
    function go(parts, params) {
      const q = params && params.toString();
      location.hash = "#/" + parts.join("/") + (q ? "?" + q : "");
    }
    async function api(path, params) {
      const q = params && params.toString();
      const r = await fetch(base + "api/" + path + (q ? "?" + q : ""));
      const body = await r.json();
      if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
      return body;
    }
    function apiURL(path, params) {
      const q = params && params.toString();
      return base + "api/" + path + (q ? "?" + q : "");
    }
    function setTitle(text) { document.getElementById("title").textContent = text; document.title = "perfsh · " + text; }
    function showError(e) { main().innerHTML = '<p class="error" id="error">' + esc(e.message || e) + "</p>"; }
    function refreshIfLive(live) {
      clearTimeout(timer);
      if (live) timer = setTimeout(render, 1000);
    }

    // Sortable tables: click a header to sort by that column (numbers by data-v), again to reverse.
    function sortableTable(id, columns, rows, sortKey, onSort) {
      const [key, dir] = (sortKey || "").split(":");
      if (key) {
        const col = columns.find(c => c.key === key);
        if (col) rows = rows.slice().sort((a, b) => {
          const x = col.value(a), y = col.value(b);
          const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return dir === "asc" ? c : -c;
        });
      }
      let h = '<table class="data" id="' + id + '"><thead><tr>';
      for (const c of columns) {
        const mark = c.key === key ? (dir === "asc" ? " ▲" : " ▼") : "";
        h += '<th data-key="' + c.key + '" class="' + (c.num ? "num" : "") + '">' + esc(c.title) + mark + "</th>";
      }
      h += "</tr></thead><tbody>";
      for (const r of rows) {
        h += "<tr>" + columns.map(c => '<td class="' + c.key + (c.num ? " num" : "") + '"' + (c.style ? ' style="' + c.style(r) + '"' : "") + ">" + (c.html ? c.html(r) : esc(c.text(r))) + "</td>").join("") + "</tr>";
      }
      h += "</tbody></table>";
      setTimeout(() => {
        const t = document.getElementById(id);
        if (!t) return;
        t.querySelectorAll("th").forEach(th => th.addEventListener("click", () => {
          const k = th.dataset.key;
          onSort(k === key && dir !== "asc" ? k + ":asc" : k + ":desc");
        }));
      });
      return h;
    }

    async function renderSessions() {
      setTitle("sessions");
      const data = await api("sessions");
      const ss = data.sessions;
      let h = '<table class="data" id="sessions"><thead><tr><th>#</th><th>name</th><th>source</th><th>exit</th><th class="num">elapsed</th><th class="num">CPU</th><th class="num">samples</th><th class="num">calls</th><th>clocks</th></tr></thead><tbody>';
      for (const s of ss) {
        h += '<tr class="session"><td>' + s.id + '</td><td><a class="open" href="#/s/' + s.id + '/summary">' + esc(s.name) + "</a>" + (s.live ? ' <span class="live">live</span>' : "") +
          "</td><td>" + esc(s.source) + "</td><td>" + esc(s.exit || "") + '</td><td class="num">' + esc(s.elapsed || "") + '</td><td class="num">' + esc(s.cpu || "") +
          '</td><td class="num">' + s.samples + '</td><td class="num">' + (s.calls == null ? "" : s.calls) + "</td><td>" + esc(s.clocks.join(" ")) + "</td></tr>";
      }
      h += "</tbody></table>";
      if (ss.length === 0) h += "<p>No sessions yet: <code>run CMD</code> or <code>load FILE</code> in the shell.</p>";
      const opts = ss.map(s => '<option value="' + s.id + '">[' + s.id + "] " + esc(s.name) + "</option>").join("");
      h += '<p class="compare">Compare <select id="compare-a">' + opts + '</select> with <select id="compare-b">' + opts + '</select> <button id="compare-go">compare</button></p>';
      main().innerHTML = h;
      if (ss.length > 1) document.getElementById("compare-b").selectedIndex = ss.length - 1;
      document.getElementById("compare-go").addEventListener("click", () =>
        go(["compare", document.getElementById("compare-a").value, document.getElementById("compare-b").value]));
      refreshIfLive(ss.some(s => s.live));
    }

    const views = ["summary", "top", "heatmap", "flame", "peek", "list"];
    function tabs(id, view, session) {
      const links = views.map(v => '<a id="tab-' + v + '" class="tab' + (v === view ? " on" : "") + '" href="#/s/' + id + "/" + v + '">' + v + "</a>").join("");
      const downloads = ["pprof", "folded", "speedscope", "svg", "session"].map(f => '<a class="download" href="' + apiURL("session/" + id + "/download/" + f) + '">' + f + "</a>").join(" ");
      return '<nav class="tabs"><a href="#/">sessions</a> · ' + links + '<span class="downloads">download: ' + downloads + "</span></nav>" +
        '<h2>[' + session.id + "] " + esc(session.name) + (session.live ? ' <span class="live">live — updates every second</span>' : "") + "</h2>";
    }
    function filterBox(params, filter) {
      return '<form id="filter" class="filter">' + ["focus", "ignore", "hide"].map(k =>
        '<label>' + k + ' <input name="' + k + '" id="filter-' + k + '" value="' + esc(params.has(k) ? params.get(k) : (filter && filter[k]) || "") + '" placeholder="regex"></label>').join(" ") +
        ' <button type="submit">apply</button></form>';
    }
    function bindFilter(parts, params) {
      const f = document.getElementById("filter");
      f.addEventListener("submit", ev => {
        ev.preventDefault();
        for (const k of ["focus", "ignore", "hide"]) params.set(k, document.getElementById("filter-" + k).value);
        go(parts, params);
      });
    }

    async function renderSession(parts, params) {
      const id = parts[1], view = parts[2] || "summary";
      const summary = await api("session/" + id + "/summary");
      const s = summary.session;
      setTitle("[" + s.id + "] " + s.name + " · " + view);
      let h = tabs(id, view, s);
      const fwd = new URLSearchParams(params);
      fwd.delete("sort"); fwd.delete("mode");
      if (view === "summary") {
        h += '<pre id="summary">' + esc(summary.lines.join("\n")) + "</pre>";
      } else if (view === "top") {
        const top = await api("session/" + id + "/top", fwd);
        h += filterBox(params, top.filter) + '<p><label><input type="checkbox" id="top-cum"' + (top.cum ? " checked" : "") + "> sort by cum</label></p>";
        h += "<pre class=\"labels\">" + esc(top.labels.join("\n")) + "</pre>";
        h += sortableTable("top-table", [
          { key: "flat", title: "flat", num: true, value: r => r.flat, text: r => r.flatText },
          { key: "flatPercent", title: "flat%", num: true, value: r => r.flat, text: r => r.flatPercent },
          { key: "sumPercent", title: "sum%", num: true, value: r => parseFloat(r.sumPercent), text: r => r.sumPercent },
          { key: "cum", title: "cum", num: true, value: r => r.cum, text: r => r.cumText },
          { key: "cumPercent", title: "cum%", num: true, value: r => r.cum, text: r => r.cumPercent },
          { key: "name", title: "name", value: r => r.name, html: r => '<a href="#/s/' + id + "/peek?fn=" + encodeURIComponent("^" + r.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "$") + '">' + esc(r.name) + "</a>" },
        ], top.rows, params.get("sort"), k => { params.set("sort", k); go(parts, params); });
      } else if (view === "heatmap") {
        // One column per value of the row's series over time, height relative to the row's peak; null or 0 draws nothing.
        const sparkSVG = (series, color) => {
          const peak = series.reduce((m, v) => Math.max(m, v || 0), 0), w = 120 / Math.max(1, series.length);
          return '<svg class="spark" width="120" height="14">' + series.map((v, i) => v > 0 && peak > 0
            ? '<rect x="' + (i * w).toFixed(1) + '" y="' + (14 - Math.max(1, v / peak * 14)).toFixed(1) + '" width="' + w.toFixed(1) + '" height="' + Math.max(1, v / peak * 14).toFixed(1) + '" fill="' + color + '"></rect>' : "").join("") + "</svg>";
        };
        const mode = params.get("mode") || "bar";
        const hp = new URLSearchParams(fwd); if (params.get("by")) hp.set("sort", params.get("by"));
        const map = await api("session/" + id + "/heatmap", hp);
        h += '<p>mode <select id="heatmap-mode">' + ["bar", "sparkline", "table"].map(m => "<option" + (m === mode ? " selected" : "") + ">" + m + "</option>").join("") +
          '</select> sort by <select id="heatmap-sort">' + ["cpu", "calls", "avg", "max", "p95"].map(m => "<option" + (m === map.sort ? " selected" : "") + ">" + m + "</option>").join("") +
          "</select> " + (map.countType ? "total " + esc(map.countType) + " " + map.totalCount : "total CPU " + esc(map.totalCPUText)) + (map.totalCalls != null ? ", calls " + map.totalCalls : "") + (map.exact ? " (exact, traced)" : " (sampled)") + "</p>" +
          '<div id="heatmap-legend" class="legend">' + map.legend.concat(mode === "sparkline" ? [map.sparkLegend] : []).map(l => "<div>" + esc(l) + "</div>").join("") + "</div>";
        const rows = map.rows;
        // Bars show self time, or Count when the session has no time column.
        const barValue = r => map.countType ? r.count : r.cpu;
        const maxBar = rows.reduce((m, r) => Math.max(m, barValue(r)), 0);
        if (mode === "table") {
          h += sortableTable("heatmap-table", [
            { key: "name", title: "Function", value: r => r.name, html: r => '<span class="swatch" style="background:' + r.color + '"></span>' + esc(r.name) },
            { key: "count", title: "Count", num: true, value: r => r.count, text: r => r.count },
            { key: "cpu", title: map.timeTitle, num: true, value: r => r.cpu, text: r => r.cpuText || "-" },
            { key: "avg", title: "Avg", num: true, value: r => r.avg || 0, text: r => r.avgText || "-" },
            { key: "max", title: "Max", num: true, value: r => r.max || 0, text: r => r.maxText || "-" },
            { key: "p95", title: "P95", num: true, value: r => r.p95 || 0, text: r => r.p95Text || "-" },
          ], rows, params.get("sort"), k => { params.set("sort", k); go(parts, params); });
        } else {
          h += '<div id="heatmap-' + mode + '" class="heatmap">';
          for (const r of rows) {
            const frac = maxBar > 0 ? barValue(r) / maxBar : 0;
            const graphic = mode === "bar"
              ? '<span class="bar" style="width:' + (frac * 100).toFixed(1) + "%;background:" + r.color + '"></span>'
              : r.spark ? sparkSVG(r.spark, r.color)
              : '<svg class="spark" width="120" height="14"><rect x="0" y="' + (14 - Math.max(1, frac * 14)).toFixed(1) + '" width="' + Math.max(2, frac * 120).toFixed(1) + '" height="' + Math.max(1, frac * 14).toFixed(1) + '" fill="' + r.color + '"></rect></svg>';
            h += '<div class="hrow"><span class="hname">' + esc(r.name) + '</span><span class="hgraph">' + graphic + '</span><span class="hval">' + (r.cpuText ? esc(r.cpuText) + " · " : "") + r.count + "</span></div>";
          }
          h += "</div>";
        }
      } else if (view === "flame") {
        const clock = params.get("clock") || "cpu";
        const fp = new URLSearchParams(fwd); fp.set("clock", clock);
        if (s.live) fp.set("t", Date.now());
        h += filterBox(params, null) + '<p>clock <select id="flame-clock">' + s.clocks.map(c => "<option" + (c === clock ? " selected" : "") + ">" + c + "</option>").join("") +
          '</select> click a frame to zoom, Ctrl-F or the search box to search</p><iframe id="flame" src="' + esc(apiURL("session/" + id + "/flame.svg", fp)) + '"></iframe>';
      } else if (view === "peek" || view === "list") {
        const fn = params.get("fn") || "";
        h += '<form id="fn-form">function regex <input id="fn" name="fn" value="' + esc(fn) + '"> <button type="submit">' + view + "</button></form>";
        if (fn) {
          const data = await api("session/" + id + "/" + view, fwd);
          if (view === "peek") {
            for (const e of data.entries) {
              h += '<table class="data peek"><thead><tr><th class="num">flat</th><th class="num">cum</th><th>function</th></tr></thead><tbody>';
              for (const c of e.callers) h += '<tr class="caller"><td></td><td class="num">' + esc(c.weightText) + "</td><td>↑ " + esc(c.name) + "</td></tr>";
              h += '<tr class="self"><td class="num">' + esc(e.flatText) + '</td><td class="num">' + esc(e.cumText) + "</td><td><b>" + esc(e.name) + "</b></td></tr>";
              for (const c of e.callees) h += '<tr class="callee"><td></td><td class="num">' + esc(c.weightText) + "</td><td>↓ " + esc(c.name) + "</td></tr>";
              h += "</tbody></table>";
            }
          } else {
            for (const r of data.routines) {
              h += "<h3>" + esc(r.function) + " <small>" + esc(r.file || "") + " flat " + esc(r.flatText) + " cum " + esc(r.cumText) + "</small></h3>";
              h += '<table class="data list"><thead><tr><th class="num">flat</th><th class="num">cum</th><th class="num">line</th><th>source</th></tr></thead><tbody>';
              for (const l of r.lines) h += '<tr><td class="num">' + esc(l.flatText) + '</td><td class="num">' + esc(l.cumText) + '</td><td class="num">' + l.line + "</td><td><code>" + esc(l.text == null ? "" : l.text) + "</code></td></tr>";
              h += "</tbody></table>";
            }
          }
        }
      }
      main().innerHTML = h;
      const q = id => document.getElementById(id);
      if (q("filter")) bindFilter(parts, params);
      if (q("top-cum")) q("top-cum").addEventListener("change", ev => { params.set("cum", ev.target.checked ? "1" : "0"); go(parts, params); });
      if (q("heatmap-mode")) q("heatmap-mode").addEventListener("change", ev => { params.set("mode", ev.target.value); params.delete("sort"); go(parts, params); });
      if (q("heatmap-sort")) q("heatmap-sort").addEventListener("change", ev => { params.set("by", ev.target.value); go(parts, params); });
      if (q("flame-clock")) q("flame-clock").addEventListener("change", ev => { params.set("clock", ev.target.value); go(parts, params); });
      if (q("fn-form")) q("fn-form").addEventListener("submit", ev => { ev.preventDefault(); params.set("fn", q("fn").value); go(parts, params); });
      refreshIfLive(s.live && view !== "peek" && view !== "list");
    }

    async function renderCompare(parts, params) {
      const a = parts[1], b = parts[2];
      setTitle("compare " + a + " → " + b);
      const c = await api("compare/" + a + "/" + b, params);
      let h = '<nav class="tabs"><a href="#/">sessions</a></nav><h2>' + esc(c.a) + " → " + esc(c.b) + "</h2>";
      h += '<table class="data" id="compare-header"><thead><tr><th>metric</th><th class="num">A</th><th class="num">B</th><th class="num">change</th><th>p</th></tr></thead><tbody>';
      for (const m of c.header) h += "<tr><td>" + esc(m.name) + '</td><td class="num">' + esc(m.aText || "") + '</td><td class="num">' + esc(m.bText || "") + '</td><td class="num">' + pct(m.change) + "</td><td>" + verdict(m.verdict) + "</td></tr>";
      h += "</tbody></table>";
      h += sortableTable("compare-table", [
        { key: "name", title: "function", value: r => r.name, text: r => r.name },
        { key: "a", title: "A", num: true, value: r => r.a, text: r => r.aText },
        { key: "b", title: "B", num: true, value: r => r.b, text: r => r.bText },
        { key: "delta", title: "delta", num: true, value: r => r.delta, text: r => r.deltaText },
        { key: "change", title: "change", num: true, value: r => r.change || 0, text: r => r.presence === "both" ? pct(r.change) : r.presence },
        { key: "p", title: "significance", value: r => r.verdict ? r.verdict.pValue : 2, html: r => verdict(r.verdict) },
      ], c.rows, params.get("sort"), k => { params.set("sort", k); go(parts, params); });
      if (c.untested) h += "<p>Single runs: no significance test per function (use <code>run -n N</code> for repeats).</p>";
      h += '<iframe id="diff-flame" src="' + esc(apiURL("compare/" + a + "/" + b + "/flame.svg")) + '"></iframe>';
      main().innerHTML = h;
    }
    function pct(x) { return x == null ? "" : (x > 0 ? "+" : "") + (x * 100).toFixed(1) + "%"; }
    function verdict(v) {
      if (!v) return "";
      return '<span class="' + (v.significant ? "sig" : "insig") + '">' + (v.significant ? "significant" : "not significant") + " (p=" + v.pValue.toPrecision(2) + ")</span>";
    }

    async function render() {
      clearTimeout(timer);
      const { parts, params } = parseHash();
      try {
        if (parts[0] === "s" && parts[1]) await renderSession(parts, params);
        else if (parts[0] === "compare" && parts[2]) await renderCompare(parts, params);
        else await renderSessions();
      } catch (e) {
        showError(e);
      }
    }
    window.addEventListener("hashchange", render);
    window.addEventListener("DOMContentLoaded", render);
    """#
}
