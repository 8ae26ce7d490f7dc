/// The script and style that make a flame-graph SVG interactive, kept apart from the
/// renderer so a web page can embed them around the same markup.
///
/// `perfshFlame(svg)` wires one `<svg class="perfsh-flame">` element: hover shows the
/// frame's details, click zooms into a frame (click the top bar or "Reset zoom" to go back),
/// the search box highlights matching frames (regular expression, case-insensitive) and shows
/// the matched share of the total (each sample counted once). It reads only `data-*`
/// attributes the renderer writes and needs no network.
public enum SVGFlameScript {
  /// The CSS for the frames and the controls.
  public static let style = """
    .perfsh-flame text { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; fill: #000; }
    .perfsh-flame .f { cursor: pointer; }
    .perfsh-flame .f:hover rect { stroke: #000; stroke-width: 0.5; }
    .perfsh-flame .f text { pointer-events: none; }
    .perfsh-flame .hidden { display: none; }
    .perfsh-flame #pf-title { font-size: 15px; font-weight: bold; }
    .perfsh-flame #pf-reset { cursor: pointer; fill: #0645ad; }
    .perfsh-flame input { font: 12px monospace; width: 98%; }
    """

  /// The script; defines `perfshFlame(svg)` and nothing else globally.
  public static let script = #"""
    function perfshFlame(svg) {
      "use strict";
      var frames = Array.prototype.slice.call(svg.querySelectorAll("g.f"));
      var holder = svg.querySelector("#pf-frames");
      var total = +holder.getAttribute("data-total");
      var left = +holder.getAttribute("data-left");
      var width = +holder.getAttribute("data-width");
      var charWidth = 6.6;
      var details = svg.querySelector("#pf-details");
      var matched = svg.querySelector("#pf-matched");
      var reset = svg.querySelector("#pf-reset");
      var search = svg.querySelector("#pf-search");
      var items = frames.map(function (g) {
        var rect = g.querySelector("rect");
        return {
          g: g, rect: rect, text: g.querySelector("text"), name: g.getAttribute("data-n"),
          x: +g.getAttribute("data-x"), c: +g.getAttribute("data-c"), d: +g.getAttribute("data-d"),
          merged: g.hasAttribute("data-k"), fill: rect.getAttribute("fill"),
          tip: g.querySelector("title") ? g.querySelector("title").textContent : ""
        };
      });
      // Shortened in the middle, keeping the last component (after "::", "." or "/"), as the
      // renderer's NameFit does for the first drawing.
      function label(item, w) {
        var n = Math.floor((w - 6) / charWidth);
        if (n < 3) return "";
        var s = item.name;
        if (s.length <= n) return s;
        var cut = Math.max(s.lastIndexOf("::"), s.lastIndexOf("."), s.lastIndexOf("/"));
        var tail = cut > 0 ? s.slice(cut) : s;
        if (tail.length + 2 <= n) return s.slice(0, n - tail.length - 1) + "\u2026" + tail;
        return "\u2026" + s.slice(s.length - (n - 1));
      }
      function place(item, x, w) {
        item.rect.setAttribute("x", x.toFixed(2));
        item.rect.setAttribute("width", w.toFixed(2));
        if (item.text) {
          item.text.setAttribute("x", (x + 3).toFixed(2));
          item.text.textContent = label(item, w);
        }
      }
      function zoom(target) {
        var zx = target ? target.x : 0, zc = target ? target.c : total, zd = target ? target.d : -1;
        var scale = zc > 0 ? width / zc : 0;
        items.forEach(function (it) {
          var inside = it.x >= zx && it.x + it.c <= zx + zc;
          var above = it.d < zd && it.x <= zx && it.x + it.c >= zx + zc;
          if (above) { it.g.classList.remove("hidden"); place(it, left, width); return; }
          if (!inside) { it.g.classList.add("hidden"); return; }
          it.g.classList.remove("hidden");
          place(it, left + (it.x - zx) * scale, it.c * scale);
        });
        reset.classList.toggle("hidden", !target);
        svg.setAttribute("data-zoom", target ? target.name : "");
      }
      function find(term) {
        var re = null;
        if (term) {
          try { re = new RegExp(term, "i"); }
          catch (e) { re = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i"); }
        }
        var spans = [];
        var count = 0;
        items.forEach(function (it) {
          var hit = re !== null && !it.merged && re.test(it.name);
          it.rect.setAttribute("fill", hit ? "#e600e6" : it.fill);
          if (hit) { spans.push([it.x, it.x + it.c]); count++; }
        });
        spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
        var sum = 0, end = -Infinity;
        spans.forEach(function (s) {
          if (s[0] >= end) { sum += s[1] - s[0]; end = s[1]; }
          else if (s[1] > end) { sum += s[1] - end; end = s[1]; }
        });
        var share = total > 0 ? (100 * sum / total) : 0;
        matched.textContent = re === null ? "" : "matched " + share.toFixed(1) + "% (" + count + " frames)";
        svg.setAttribute("data-matched", re === null ? "" : share.toFixed(3));
      }
      items.forEach(function (it) {
        it.g.addEventListener("mouseover", function () { details.textContent = it.tip; });
        it.g.addEventListener("mouseout", function () { details.textContent = " "; });
        it.g.addEventListener("click", function () { zoom(it.d < 0 ? null : it); });
      });
      reset.addEventListener("click", function () { zoom(null); });
      if (search) search.addEventListener("input", function () { find(search.value); });
      svg.perfshZoom = zoom;
      svg.perfshSearch = find;
      // When the view became interactive, in ms since navigation started (for scripts/check-svg).
      if (typeof performance !== "undefined") svg.setAttribute("data-ready", performance.now().toFixed(1));
    }
    """#
}
