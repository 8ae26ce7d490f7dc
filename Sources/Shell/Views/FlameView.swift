import Analysis
import Render

/// The interactive flame graph: `←`/`→` move between siblings, `↑` to the caller, `↓` to the
/// widest callee, `Enter` zooms into the selected frame, `Backspace` zooms out, `/` searches
/// (the matched share of the total is shown), `q` / `Esc` return to the prompt.
struct FlameView {
  var graph: FlameGraph
  var title: String
  var options: FlameTextOptions
  var zooms: [Int] = []
  var selected: Int?
  var search = ""
  var editingSearch = false

  /// Runs the view until the user quits; the terminal is restored on every path.
  static func run(graph: FlameGraph, title: String, options: FlameTextOptions, context: ShellContext) throws(ShellError)
  {
    context.flush()
    let terminal = try RawTerminal()
    defer { terminal.restore() }
    var view = FlameView(graph: graph, title: title, options: options)
    // Start on the widest root (with several threads or processes, the first may be thin).
    view.selected = graph.children(of: -1).max { graph.nodes[$0].cum < graph.nodes[$1].cum }
    var size = terminal.size()
    terminal.write(view.frame(columns: size.columns, rows: size.rows))
    while true {
      guard let key = terminal.readKey(timeoutMilliseconds: 150) else {
        let now = terminal.size()
        if now != size {
          size = now
          terminal.write(view.frame(columns: size.columns, rows: size.rows))
        }
        continue
      }
      if view.handle(key, columns: size.columns) == .quit { break }
      size = terminal.size()
      terminal.write(view.frame(columns: size.columns, rows: size.rows))
    }
  }

  enum Outcome { case stay, quit }

  /// Nodes whose name matches the search (kept up to date by `setSearch`).
  var matches: Set<Int> = []

  /// Changes the search and recomputes the matches: a regular expression, or plain text
  /// (case-insensitive) when it is not one.
  mutating func setSearch(_ text: String) {
    search = text
    guard !text.isEmpty else {
      matches = []
      return
    }
    let matcher = try? NameMatcher(text, option: "search")
    let needle = text.lowercased()
    var result = Set<Int>()
    // One test per distinct frame name, not per node.
    var verdict = [Bool?](repeating: nil, count: graph.frames.count)
    for (i, node) in graph.nodes.enumerated() {
      let f = Int(node.frame)
      if verdict[f] == nil {
        let name = graph.frames[f].name
        verdict[f] = matcher?.matches(name) ?? name.lowercased().contains(needle)
      }
      if verdict[f] == true { result.insert(i) }
    }
    matches = result
  }

  /// Share of the total under matching frames, each sample counted once (nested matches are not added twice).
  func matchedShare(_ matched: Set<Int>) -> Int64 {
    var sum: Int64 = 0
    var i = 0
    while i < graph.nodes.count {
      if matched.contains(i) {
        sum &+= graph.nodes[i].cum
        i = Int(graph.nodes[i].end)
      } else {
        i += 1
      }
    }
    return sum
  }

  func drawOptions(columns: Int) -> FlameTextOptions {
    var o = options
    o.width = max(10, columns)
    o.zoom = zooms.last
    o.selected = selected
    o.matches = matches
    return o
  }

  /// Applies one key press.
  mutating func handle(_ key: RawTerminal.Key, columns: Int) -> Outcome {
    if editingSearch {
      switch key {
      case .enter: editingSearch = false
      case .escape:
        editingSearch = false
        setSearch("")
      case .backspace: if !search.isEmpty { setSearch(String(search.dropLast())) }
      case .character(let c): setSearch(search + String(c))
      case .interrupt: return .quit
      default: break
      }
      return .stay
    }
    let cells = FlameRenderer.rows(graph, options: drawOptions(columns: columns)).cells
    func locate(_ node: Int) -> (row: Int, index: Int)? {
      for (r, row) in cells.enumerated() {
        if let k = row.firstIndex(where: { $0.node == node }) { return (r, k) }
      }
      return nil
    }
    switch key {
    case .character("q"), .escape, .interrupt: return .quit
    case .character("/"):
      editingSearch = true
      setSearch("")
    case .enter:
      if let s = selected, s != zooms.last { zooms.append(s) }
    case .backspace:
      if let last = zooms.popLast() { selected = last }
    case .up, .character("k"):
      if let s = selected, graph.nodes[s].parent >= 0 { selected = Int(graph.nodes[s].parent) }
    case .down, .character("j"):
      if let s = selected, let place = locate(s), place.row + 1 < cells.count {
        let below = cells[place.row + 1].filter { c in c.node.map { graph.nodes[$0].parent == s } ?? false }
        if let widest = below.max(by: { $0.x1 - $0.x0 < $1.x1 - $1.x0 }) { selected = widest.node }
      }
    case .left, .character("h"), .right, .character("l"):
      if let s = selected, let place = locate(s) {
        let step = (key == .left || key == .character("h")) ? -1 : 1
        var k = place.index + step
        let row = cells[place.row]
        while row.indices.contains(k), row[k].node == nil { k += step }
        if row.indices.contains(k) { selected = row[k].node }
      }
    default: break
    }
    // Keep the selection inside the zoomed view.
    if let zoom = zooms.last, let s = selected,
      !(s >= zoom && s < Int(graph.nodes[zoom].end)) && !graph.ancestry(of: zoom).contains(s)
    {
      selected = zoom
    }
    return .stay
  }

  /// The whole screen as one string (clear, then each line).
  func frame(columns: Int, rows: Int) -> String {
    let o = drawOptions(columns: columns)
    let picture = FlameRenderer.rows(graph, options: o)
    var lines = FlameRenderer.header(graph, title: title, hiddenFrames: picture.hiddenFrames, options: o)
    lines.append("←→ siblings  ↑↓ caller/callee  Enter zoom  Backspace out  / search  q quit")
    if let s = selected {
      let n = graph.nodes[s]
      let info =
        "\(graph.name(s)) [\(graph.frames[Int(n.frame)].module.rawValue)] cum \(FlameRenderer.value(n.cum, graph.valueType)) "
        + "(\(FlameRenderer.percent(n.cum, of: graph.total))) self \(FlameRenderer.value(n.selfValue, graph.valueType))"
      lines.append("selected: " + info)
    }
    if editingSearch || !search.isEmpty {
      let m = o.matches
      lines.append(
        "search: \(search)" + (editingSearch ? "█" : "")
          + "  matched: \(FlameRenderer.percent(matchedShare(m), of: graph.total)) (\(m.count) frames)")
    }
    let room = max(1, rows - lines.count)
    var body = picture.lines
    if body.count > room {
      // Keep the selected row on screen.
      let row = selected.map { Int(graph.nodes[$0].depth) } ?? 0
      let first = max(0, min(row - room / 2, body.count - room))
      body = Array(body[first..<(first + room)])
    }
    if graph.nodes.isEmpty { body = ["(no samples to draw)"] }
    lines.append(contentsOf: body)
    let clipped = lines.prefix(rows).map {
      HeatmapView.clip(OutputChannel.terminalSafe($0, allowingStyleCodes: { o.color }), width: columns)
    }
    return "\u{1B}[H\u{1B}[2J" + clipped.joined(separator: "\r\n")
  }
}
