import Analysis
import ProfileModel
import Render

/// The interactive heatmap: `1`/`2`/`3` switch bar / sparkline / table, `↑`/`↓` or `k`/`j`
/// move, `Enter` shows the selected function's callers, callees and hottest lines, `/`
/// filters by name, `q` / `Esc` return to the prompt. Redraws when the terminal is resized.
struct HeatmapView {
  var heatmap: Heatmap
  var session: Session
  var mode: HeatmapMode
  var color: Bool
  var selected = 0
  var nameFilter = ""
  var editingFilter = false
  var details: [String]?
  var detailsScroll = 0

  /// Runs the view until the user quits; the terminal is restored on every path.
  static func run(heatmap: Heatmap, session: Session, mode: HeatmapMode, context: ShellContext) throws(ShellError) {
    context.flush()
    let terminal = try RawTerminal()
    defer { terminal.restore() }
    var view = HeatmapView(heatmap: heatmap, session: session, mode: mode, color: context.useColor)
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
      if view.handle(key, filter: { (try? context.filter(of: session)) ?? .none }) == .quit { break }
      size = terminal.size()
      terminal.write(view.frame(columns: size.columns, rows: size.rows))
    }
  }

  enum Outcome { case stay, quit }

  /// The rows after the `/` name filter.
  var visibleRows: [HeatmapRow] {
    guard !nameFilter.isEmpty else { return heatmap.rows }
    let needle = nameFilter.lowercased()
    return heatmap.rows.filter { $0.name.lowercased().contains(needle) }
  }

  /// Applies one key press.
  mutating func handle(_ key: RawTerminal.Key, filter: () -> ProfileFilter) -> Outcome {
    if editingFilter {
      switch key {
      case .enter: editingFilter = false
      case .escape:
        editingFilter = false
        nameFilter = ""
      case .backspace: if !nameFilter.isEmpty { nameFilter.removeLast() }
      case .character(let c): nameFilter.append(c)
      case .interrupt: return .quit
      default: break
      }
      selected = 0
      return .stay
    }
    if details != nil {
      switch key {
      case .escape, .character("q"), .enter: details = nil
      case .up, .character("k"): detailsScroll = max(0, detailsScroll - 1)
      case .down, .character("j"): detailsScroll += 1
      case .interrupt: return .quit
      default: break
      }
      return .stay
    }
    let count = min(visibleRows.count, mode.defaultLimit)
    switch key {
    case .character("q"), .escape, .interrupt: return .quit
    case .character("1"): mode = .bar
    case .character("2"): mode = .sparkline
    case .character("3"): mode = .table
    case .up, .character("k"): selected = max(0, selected - 1)
    case .down, .character("j"): selected = min(max(0, count - 1), selected + 1)
    case .pageUp: selected = max(0, selected - 10)
    case .pageDown: selected = min(max(0, count - 1), selected + 10)
    case .character("/"):
      editingFilter = true
      nameFilter = ""
    case .enter:
      let rows = visibleRows
      if rows.indices.contains(selected) {
        details = FunctionDetails.lines(for: rows[selected], in: session.profile, filter: filter())
        detailsScroll = 0
      }
    default: break
    }
    selected = min(selected, max(0, min(visibleRows.count, mode.defaultLimit) - 1))
    return .stay
  }

  /// The whole screen as one string (clear, then each line).
  func frame(columns: Int, rows: Int) -> String {
    var lines: [String] = []
    let keys = "1 bar  2 sparkline  3 table  ↑↓/jk move  Enter details  / filter  q quit"
    lines.append(TextStyle.bold.apply("🔥 Performance Heatmap - \(mode.title)", enabled: color) + "   " + keys)
    if let details {
      lines.append("")
      let body = Array(details.dropFirst(min(detailsScroll, max(0, details.count - 1))))
      lines.append(contentsOf: body.prefix(max(1, rows - 3)))
      lines.append("(Esc/q/Enter back  ↑↓ scroll)")
    } else {
      lines.append(contentsOf: HeatmapRenderer.legend(heatmap, facts: session.summaryFacts))
      if mode == .sparkline { lines.append(HeatmapRenderer.sparklineLegend(heatmap)) }
      if editingFilter || !nameFilter.isEmpty {
        lines.append("filter: \(nameFilter)" + (editingFilter ? "█" : ""))
      }
      lines.append("")
      let all = Array(visibleRows.prefix(mode.defaultLimit))
      if all.isEmpty {
        lines.append("(no functions match)")
      } else {
        let headerLines = mode == .table ? 1 : 0
        let room = max(1, rows - lines.count - 1 - headerLines)
        let first = max(0, min(selected - room / 2, all.count - room))
        let shown = min(room, all.count - first)
        let body = HeatmapRenderer.rows(
          heatmap, rows: all, mode: mode, options: RenderOptions(color: color, width: columns - 1), selected: selected)
        // Tables carry a header line; keep it pinned above the scrolled window.
        lines.append(contentsOf: body.prefix(headerLines))
        lines.append(contentsOf: body.dropFirst(headerLines + first).prefix(shown))
      }
    }
    // Names, file names and the command line are data: no control character of theirs reaches the terminal.
    let clipped = lines.prefix(rows).map {
      HeatmapView.clip(OutputChannel.terminalSafe($0, allowingStyleCodes: { color }), width: columns)
    }
    return "\u{1B}[H\u{1B}[2J" + clipped.joined(separator: "\r\n")
  }

  /// A line cut to the screen width; lines with colour codes were already fitted by the renderer.
  /// Emoji such as the title's 🔥 take two terminal columns; a line one column too wide
  /// would wrap and push the whole frame down.
  static func clip(_ line: String, width: Int) -> String {
    if line.contains("\u{1B}") || displayWidth(line) <= width { return line }
    var columns = 0
    var out = ""
    for ch in line {
      let w = displayWidth(String(ch))
      if columns + w > width - 1 { break }
      columns += w
      out.append(ch)
    }
    return out + "…"
  }

  static func displayWidth<S: StringProtocol>(_ s: S) -> Int {
    s.reduce(0) { $0 + (($1.unicodeScalars.first?.value ?? 0) >= 0x1F000 ? 2 : 1) }
  }
}
