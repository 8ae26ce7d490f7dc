import Analysis

/// Options of the SVG flame graph.
public struct SVGFlameOptions: Sendable {
  /// Picture width in pixels.
  public var width: Int
  /// Frames narrower than this many pixels are merged with thin neighbours (with a count).
  public var minimumPixels: Double
  /// Colouring when not differential.
  public var colorMode: FlameColorMode
  /// Change colouring (a differential graph).
  public var diff: FlameDiff?
  /// The heading.
  public var title: String

  /// Options; 1200 pixels wide, frames under one pixel merged.
  public init(
    title: String, width: Int = 1200, minimumPixels: Double = 1, colorMode: FlameColorMode = .module,
    diff: FlameDiff? = nil
  ) {
    self.title = title
    self.width = width
    self.minimumPixels = minimumPixels
    self.colorMode = colorMode
    self.diff = diff
  }
}

/// A self-contained interactive flame graph as SVG (an icicle, callers on top): one `<g
/// class="f">` per box with its `<title>`, `<rect>` and label, and `data-*` attributes the
/// embedded `SVGFlameScript` reads for hover, zoom and search.
public enum SVGFlameGraph {
  static let frameHeight = 16.0
  static let rowHeight = 17.0
  static let pad = 10.0
  static let top = 84.0

  /// The SVG document for `graph`.
  public static func render(_ graph: FlameGraph, options: SVGFlameOptions) -> String {
    var out = ""
    write(graph, options: options, to: &out)
    return out
  }

  /// Writes the SVG document for `graph` to `out`.
  public static func write(_ graph: FlameGraph, options: SVGFlameOptions, to out: inout some TextOutputStream) {
    let usable = Double(max(100, options.width)) - 2 * pad
    let total = graph.total
    let minimum = total > 0 ? Int64((Double(total) * options.minimumPixels / usable).rounded(.up)) : 1
    let layout = FlameLayout(graph: graph, minimumWidth: max(1, minimum), zoom: nil)
    let depth = (layout.boxes.map(\.depth).max() ?? -1) + 2  // + the "all" bar
    let height = top + Double(depth) * rowHeight + 30
    let scale = total > 0 ? usable / Double(total) : 0
    let maxSelf = graph.nodes.map(\.selfValue).max() ?? 0
    let w = options.width
    out.write(
      """
      <?xml version="1.0" encoding="UTF-8" standalone="no"?>
      <svg xmlns="http://www.w3.org/2000/svg" class="perfsh-flame" version="1.1" width="\(w)" height="\(Int(height))" viewBox="0 0 \(w) \(Int(height))">
      <style type="text/css"><![CDATA[
      \(SVGFlameScript.style)
      ]]></style>
      <rect x="0" y="0" width="\(w)" height="\(Int(height))" fill="#fbfbf4"/>
      <text id="pf-title" x="\(pad)" y="22">\(xml(options.title))</text>
      <text x="\(pad)" y="40">\(xml(subtitle(graph, layout: layout, options: options)))</text>
      <text x="\(pad)" y="58">\(xml(colourKey(options)))</text>
      <text id="pf-reset" class="hidden" x="\(pad)" y="76">Reset zoom</text>
      <foreignObject x="\(Double(w) - 330)" y="44" width="320" height="24"><input xmlns="http://www.w3.org/1999/xhtml" id="pf-search" type="search" placeholder="search (regular expression)"/></foreignObject>
      <text id="pf-matched" x="\(Double(w) - 330)" y="80"> </text>
      <text id="pf-details" x="\(pad)" y="\(Int(height) - 10)"> </text>

      """)
    out.write("<g id=\"pf-frames\" data-total=\"\(total)\" data-left=\"\(pad)\" data-width=\"\(fmt(usable))\">\n")
    // The "all" bar on top: clicking it resets the zoom.
    let allTip = "all: \(FlameRenderer.value(total, graph.valueType)) (100%)"
    frame(
      to: &out, name: "all", tip: allTip, x: 0, c: total, d: -1, merged: nil,
      rect: (pad, top, usable), fill: RGB(210, 210, 200).hex, extra: "")
    for box in layout.boxes {
      let x = pad + Double(box.start) * scale
      let width = Double(box.width) * scale
      let y = top + Double(box.depth + 1) * rowHeight
      if let node = box.node {
        let n = graph.nodes[node]
        let name = DisplayText.escapingControls(graph.name(node))
        let module = graph.frames[Int(n.frame)].module
        var tip =
          "\(name) [\(module.rawValue)]: \(FlameRenderer.value(n.cum, graph.valueType)) (\(FlameRenderer.percent(n.cum, of: total)) of total), self \(FlameRenderer.value(n.selfValue, graph.valueType))"
        var extra = " data-m=\"\(module.rawValue)\" data-s=\"\(n.selfValue)\""
        let fill: RGB
        if let diff = options.diff {
          fill = FlameColors.change(diff.shade[node])
          let delta = diff.delta[node]
          let change =
            graph.valueType.unit == "nanoseconds"
            ? DurationFormat.string(nanoseconds: Int64(delta.rounded())) : String(Int64(delta.rounded()))
          tip +=
            ", self change per run \(delta >= 0 ? "+" : "")\(change)"
            + (diff.qualified ? (diff.shade[node] == nil ? " (not significant)" : " (significant)") : " (unqualified)")
          extra +=
            " data-delta=\"\(fmt(delta))\"" + (diff.shade[node] != nil ? " data-sig=\"\(diff.qualified ? 1 : 0)\"" : "")
        } else if options.colorMode == .self {
          fill = FlameColors.selfShare(maxSelf > 0 ? Double(n.selfValue) / Double(maxSelf) : 0)
        } else {
          fill = FlameColors.module(module, name: name)
        }
        frame(
          to: &out, name: name, tip: tip, x: box.start, c: box.width, d: box.depth, merged: nil,
          rect: (x, y, width), fill: fill.hex, extra: extra)
      } else {
        let name = "+\(box.mergedFrames) frames"
        let tip =
          "\(box.mergedFrames) frames too thin to draw, merged: \(FlameRenderer.value(box.width, graph.valueType)) (\(FlameRenderer.percent(box.width, of: total)) of total)"
        frame(
          to: &out, name: name, tip: tip, x: box.start, c: box.width, d: box.depth, merged: box.mergedFrames,
          rect: (x, y, width), fill: "#bbbbbb", extra: "")
      }
    }
    out.write("</g>\n<script type=\"text/ecmascript\"><![CDATA[\n")
    out.write(SVGFlameScript.script)
    out.write(
      "\nperfshFlame(document.currentScript ? document.currentScript.ownerSVGElement || document.documentElement : document.documentElement);\n]]></script>\n</svg>\n"
    )
  }

  /// What the picture shows: total, sort, and what was merged or cut.
  static func subtitle(_ graph: FlameGraph, layout: FlameLayout, options: SVGFlameOptions) -> String {
    var parts = ["total \(FlameRenderer.value(graph.total, graph.valueType))", "siblings by \(graph.sort.rawValue)"]
    if layout.hiddenFrames > 0 {
      parts.append("\(CountFormat.grouped(layout.hiddenFrames)) frames under \(fmt(options.minimumPixels))px not drawn")
    }
    if graph.depthHidden > 0 { parts.append("\(CountFormat.grouped(graph.depthHidden)) frames below the depth limit") }
    return parts.joined(separator: " | ")
  }

  /// What the colours mean.
  static func colourKey(_ options: SVGFlameOptions) -> String {
    if let diff = options.diff { return FlameRenderer.diffLegend(diff) }
    if options.colorMode == .self { return "colour: self share (pale none, red most); grey: merged thin frames" }
    return
      "colour: user orange, library yellow, kernel blue, JIT green, no mapping light orange; grey: merged thin frames"
  }

  /// One frame: group with data attributes, tooltip, rectangle and a label fitted to the width.
  static func frame(
    to out: inout some TextOutputStream, name: String, tip: String, x: Int64, c: Int64, d: Int, merged: Int?,
    rect: (x: Double, y: Double, width: Double), fill: String, extra: String
  ) {
    let label = fitLabel(name, pixels: rect.width)
    out.write("<g class=\"f\" data-n=\"\(xml(name))\" data-x=\"\(x)\" data-c=\"\(c)\" data-d=\"\(d)\"")
    if let merged { out.write(" data-k=\"\(merged)\"") }
    out.write(extra)
    out.write(
      "><title>\(xml(tip))</title><rect x=\"\(fmt(rect.x))\" y=\"\(fmt(rect.y))\" width=\"\(fmt(rect.width))\" height=\"\(fmt(frameHeight))\" fill=\"\(fill)\" rx=\"2\"/>"
    )
    out.write("<text x=\"\(fmt(rect.x + 3))\" y=\"\(fmt(rect.y + 12))\">\(xml(label))</text></g>\n")
  }

  /// The label that fits `pixels` at the script's character width (6.6 px), shortened in the
  /// middle as the terminal does (`NameFit`); none below three characters.
  static func fitLabel(_ name: String, pixels: Double) -> String {
    let n = Int(((pixels - 6) / 6.6).rounded(.down))
    if n < 3 { return "" }
    return NameFit.fit(name, width: n)
  }

  /// Two decimals, trailing zeros dropped.
  static func fmt(_ v: Double) -> String {
    let scaled = (v * 100).rounded()
    let negative = scaled < 0
    let m = Int64(abs(scaled))
    let whole = m / 100
    let frac = m % 100
    var s = (negative ? "-" : "") + String(whole)
    if frac != 0 {
      s += "." + (frac < 10 ? "0" : "") + String(frac)
      while s.hasSuffix("0") { s.removeLast() }
    }
    return s
  }

  /// Text escaped for XML content and attributes; characters XML 1.0 cannot hold become visible escapes.
  public static func xml(_ text: String) -> String {
    let safe = DisplayText.escapingControls(text)
    guard safe.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'" }) else { return safe }
    var out = ""
    out.reserveCapacity(safe.utf8.count + 16)
    for ch in safe {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(ch)
      }
    }
    return out
  }
}
