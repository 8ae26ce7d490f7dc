import Analysis
import ProfileModel
import Render

/// The JSON of each view, built from the same Analysis values the shell's commands render,
/// so the browser shows the shell's numbers. Pure: sessions in, JSON out.
public enum WebViews {
  /// The session list: id, name, source, summary numbers and the clocks each session has.
  public static func sessions(_ sessions: [WebSession]) -> JSONValue {
    .object([("sessions", .array(sessions.map(sessionHeader)))])
  }

  static func sessionHeader(_ s: WebSession) -> JSONValue {
    let run = s.profile.run
    var fields: [(String, JSONValue)] = [
      ("id", .int(Int64(s.id))), ("name", .string(s.name)), ("source", .string(s.source)),
      ("live", .bool(s.isLive)),
      ("exit", run.termination.map { .string("\($0)") } ?? .null),
      ("elapsed", run.elapsedNanos.map { .string(DurationFormat.string(nanoseconds: $0)) } ?? .null),
      ("cpu", cpuText(s.profile).map(JSONValue.string) ?? .null),
      ("samples", .int(s.samples)),
      (
        "calls",
        s.profile.callStatistics.isEmpty
          ? .null : .int(s.profile.callStatistics.values.reduce(Int64(0)) { $0.addingSaturating($1.calls) })
      ),
    ]
    fields.append(("clocks", .array(clocks(s.profile).map(JSONValue.string))))
    fields.append(("sampleTypes", .array(s.profile.sampleTypes.map { .string("\($0.type)/\($0.unit)") })))
    return .object(fields)
  }

  /// The flame clocks a session can draw: cpu always, wall and offcpu when recorded.
  static func clocks(_ p: Profile) -> [String] {
    ["cpu"] + ["wall", "offcpu"].filter { p.sampleTypeIndex(named: $0) != nil }
  }

  private static func cpuText(_ p: Profile) -> String? {
    if let cpu = p.run.cpuNanos { return DurationFormat.string(nanoseconds: cpu) }
    return Heatmap.timeColumn(of: p).map { DurationFormat.string(nanoseconds: p.total(column: $0)) }
  }

  /// The summary block's lines and the session header.
  public static func summary(_ s: WebSession) -> JSONValue {
    .object([("session", sessionHeader(s)), ("lines", .array(s.summaryLines.map(JSONValue.string)))])
  }

  /// `top`: pprof's flat/cum rows, with raw values and the text `top` prints for them.
  public static func top(_ s: WebSession, query: WebQuery) throws(WebError) -> JSONValue {
    let filter = try query.filter(for: s)
    let column = try valueIndex(s, query)
    let options = TopOptions(
      graph: GraphOptions(valueIndex: column, filter: filter), nodeCount: try query.count("n", default: nil),
      sortByCum: query.flag("cum"))
    let report: TopReport
    do { report = try TopReport(profile: s.profile, options: options) } catch { throw .badRequest(error.description) }
    let fmt = TopRenderer.formatter(for: report)
    var sum: Int64 = 0
    let rows: [JSONValue] = report.rows.map { row in
      sum &+= row.flat
      return .object([
        ("name", .string(row.info.printableName)), ("flat", .int(row.flat)),
        ("flatText", .string(fmt.format(row.flat))),
        ("flatPercent", .string(PprofUnits.percentage(row.flat, of: report.total).trimmingSpaces)),
        ("sumPercent", .string(PprofUnits.percentage(sum, of: report.total).trimmingSpaces)),
        ("cum", .int(row.cum)), ("cumText", .string(fmt.format(row.cum))),
        ("cumPercent", .string(PprofUnits.percentage(row.cum, of: report.total).trimmingSpaces)),
      ])
    }
    return .object([
      ("session", .int(Int64(s.id))), ("unit", .string(report.valueType.unit)), ("total", .int(report.total)),
      ("totalText", .string(fmt.format(report.total))), ("cum", .bool(report.sortByCum)),
      ("labels", .array(TopRenderer.labels(report, formatter: fmt).map(JSONValue.string))),
      ("filter", filterJSON(query, s)), ("rows", .array(rows)),
    ])
  }

  /// The heatmap rows (Count, CPU Time, Avg, Max, P95) with the seed's red→green rank colours;
  /// `legend` says what the numbers are (Count alone for a session without a time column).
  public static func heatmap(_ s: WebSession, query: WebQuery) throws(WebError) -> JSONValue {
    let sparkColumns = 60
    let sortText = query["sort"] ?? "cpu"
    guard let sort = HeatmapSort(rawValue: sortText) else {
      throw .badRequest("sort must be one of \(HeatmapSort.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let clock = try callClock(query)
    let map: Heatmap
    do {
      map = try Heatmap(profile: s.profile, sort: sort, filter: try query.filter(for: s), clock: clock)
    } catch let e as WebError { throw e } catch { throw .badRequest("\(error)") }
    let count = map.rows.count
    let maxCPU = map.rows.map(\.cpuNanos).max() ?? 0
    func time(_ v: Int64?) -> JSONValue { v.map { .string(DurationFormat.string(nanoseconds: $0)) } ?? .null }
    let rows: [JSONValue] = map.rows.enumerated().map { i, r in
      .object([
        ("name", .string(r.name)), ("count", .int(r.count)), ("cpu", .int(r.cpuNanos)),
        ("cpuText", map.countsOnly ? .null : time(r.cpuNanos)),
        ("avg", r.avgNanos.map { .int($0) } ?? .null), ("avgText", time(r.avgNanos)),
        ("max", r.maxNanos.map { .int($0) } ?? .null), ("maxText", time(r.maxNanos)),
        ("p95", r.p95Nanos.map { .int($0) } ?? .null), ("p95Text", time(r.p95Nanos)),
        ("color", .string(HeatmapRenderer.gradientRGB(rank: i, of: count).hex)),
        // The sparkline over the run's time (the same series as the terminal's), or null.
        (
          "spark",
          r.timeline.map { t in
            .array(t.columns(sparkColumns).map { $0.map { .double($0) } ?? .null })
          } ?? .null
        ),
      ])
    }
    return .object([
      ("session", .int(Int64(s.id))), ("sort", .string(sort.rawValue)), ("exact", .bool(map.isExact)),
      ("clock", map.clock.map { .string($0.rawValue) } ?? .null), ("totalCPU", .int(map.totalCPUNanos)),
      ("totalCPUText", .string(DurationFormat.string(nanoseconds: map.totalCPUNanos))),
      ("totalCalls", map.totalCalls.map { .int($0) } ?? .null), ("maxCPU", .int(maxCPU)),
      ("countsOnly", .bool(map.countsOnly)), ("countType", map.countType.map(JSONValue.string) ?? .null),
      ("totalCount", .int(map.rows.reduce(Int64(0)) { $0 &+ $1.count })), ("timeTitle", .string(map.timeTitle)),
      ("legend", .array(HeatmapRenderer.meaning(map).map(JSONValue.string))), ("rows", .array(rows)),
      ("sparkLegend", .string(HeatmapRenderer.sparklineLegend(map))),
    ])
  }

  /// `peek REGEX`: callers and callees of the matching functions with their weights.
  public static func peek(_ s: WebSession, query: WebQuery) throws(WebError) -> JSONValue {
    let pattern = try functionPattern(query)
    let report: PeekReport
    do {
      report = try PeekReport(
        profile: s.profile, matching: try NameMatcher(pattern, option: "fn"),
        options: GraphOptions(valueIndex: try valueIndex(s, query), filter: try query.filter(for: s)))
    } catch let e as WebError { throw e } catch { throw .badRequest("\(error)") }
    let fmt = ValueFormatter(sampleUnit: report.valueType.unit, nodeValues: report.nodeValues, total: report.total)
    func link(_ l: PeekReport.Link) -> JSONValue {
      .object([
        ("name", .string(l.info.printableName)), ("weight", .int(l.weight)),
        ("weightText", .string(fmt.format(l.weight))), ("inline", .bool(l.isInline)),
      ])
    }
    let entries: [JSONValue] = report.entries.map { e in
      .object([
        ("name", .string(e.node.info.printableName)), ("flat", .int(e.node.flat)),
        ("flatText", .string(fmt.format(e.node.flat))),
        ("cum", .int(e.node.cum)), ("cumText", .string(fmt.format(e.node.cum))),
        ("callers", .array(e.callers.map(link))), ("callees", .array(e.callees.map(link))),
      ])
    }
    return .object([
      ("session", .int(Int64(s.id))), ("pattern", .string(pattern)), ("total", .int(report.total)),
      ("entries", .array(entries)),
    ])
  }

  /// `list REGEX`: per-line flat/cum of the matching functions; `source` gives a file's lines.
  public static func list(_ s: WebSession, query: WebQuery, source: (String) -> [String]?) throws(WebError) -> JSONValue
  {
    let pattern = try functionPattern(query)
    let listing: SourceListing
    do {
      let graph = try CallGraph(
        profile: s.profile,
        options: GraphOptions(
          valueIndex: try valueIndex(s, query), granularity: .lines, filter: try query.filter(for: s)))
      listing = try SourceListing(graph: graph, matching: try NameMatcher(pattern, option: "fn"), source: source)
    } catch let e as WebError { throw e } catch { throw .badRequest("\(error)") }
    let fmt = ValueFormatter(
      sampleUnit: listing.valueType.unit, nodeValues: listing.routines.flatMap { $0.lines.map { ($0.flat, $0.cum) } },
      total: listing.total)
    let routines: [JSONValue] = listing.routines.map { r in
      .object([
        ("function", .string(r.function)), ("file", r.file.map(JSONValue.string) ?? .null),
        ("flat", .int(r.flat)), ("flatText", .string(fmt.format(r.flat))), ("cum", .int(r.cum)),
        ("cumText", .string(fmt.format(r.cum))),
        ("sourceAvailable", .bool(r.sourceAvailable)),
        (
          "lines",
          .array(
            r.lines.map { l in
              .object([
                ("line", .int(l.number)), ("flat", .int(l.flat)), ("flatText", .string(fmt.formatOrDot(l.flat))),
                ("cum", .int(l.cum)), ("cumText", .string(fmt.formatOrDot(l.cum))),
                ("text", l.text.map(JSONValue.string) ?? .null),
              ])
            })
        ),
      ])
    }
    return .object([
      ("session", .int(Int64(s.id))), ("pattern", .string(pattern)), ("total", .int(listing.total)),
      ("routines", .array(routines)),
    ])
  }

  /// `compare A B`: the header metrics and per-function rows with their significance verdicts,
  /// from the sides the shell's `compare` builds (`CompareSide.pair`; `clock=wall` for traced times).
  public static func compare(_ a: WebSession, _ b: WebSession, query: WebQuery) throws(WebError) -> JSONValue {
    let (sideA, sideB) = try compareSides(a, b, query: query)
    let report = CompareReport(
      sideA, sideB,
      options: CompareOptions(
        sort: CompareSort(rawValue: query["sort"] ?? "delta") ?? .delta, rowLimit: try query.count("n", default: 50)))
    func verdict(_ v: CompareVerdict?) -> JSONValue {
      guard let v else { return .null }
      return .object([
        ("pValue", .double(v.pValue)), ("significant", .bool(v.isSignificant)),
        ("change", v.change.map(JSONValue.double) ?? .null),
      ])
    }
    let unit = report.valueType.unit
    func value(_ v: Double) -> String {
      unit == "nanoseconds" ? DurationFormat.string(nanoseconds: Int64(v.rounded())) : String(Int64(v.rounded()))
    }
    func metric(_ v: Double?, _ unit: CompareUnit) -> JSONValue {
      guard let v else { return .null }
      switch unit {
      case .nanoseconds: return .string(DurationFormat.string(nanoseconds: Int64(v.rounded())))
      case .count: return .string(String(Int64(v.rounded())))
      case .ratio: return .string(String(Double(Int((v * 100).rounded())) / 100))
      }
    }
    let header: [JSONValue] = report.header.map { m in
      .object([
        ("name", .string(m.name)), ("a", m.a.map(JSONValue.double) ?? .null), ("aText", metric(m.a, m.unit)),
        ("b", m.b.map(JSONValue.double) ?? .null), ("bText", metric(m.b, m.unit)),
        ("change", m.relativeChange.map(JSONValue.double) ?? .null), ("verdict", verdict(m.verdict)),
      ])
    }
    let rows: [JSONValue] = report.rows.map { r in
      .object([
        ("name", .string(r.name)), ("presence", .string(r.presence.rawValue)), ("a", .double(r.a)),
        ("aText", .string(value(r.a))),
        ("b", .double(r.b)), ("bText", .string(value(r.b))), ("delta", .double(r.delta)),
        ("deltaText", .string((r.delta > 0 ? "+" : r.delta < 0 ? "-" : "") + value(abs(r.delta)))),
        ("change", r.relativeChange.map(JSONValue.double) ?? .null), ("verdict", verdict(r.verdict)),
      ])
    }
    return .object([
      ("a", .string(report.labelA)), ("b", .string(report.labelB)), ("unit", .string(unit)),
      ("header", .array(header)), ("rows", .array(rows)), ("hiddenRows", .int(Int64(report.hiddenRows))),
      ("untested", .bool(report.rowsUntested)),
    ])
  }

  // MARK: Shared parameters

  /// The two sides of a comparison, built as the shell's `compare` builds them.
  static func compareSides(_ a: WebSession, _ b: WebSession, query: WebQuery) throws(WebError) -> (
    CompareSide, CompareSide
  ) {
    let clock = try callClock(query)
    do {
      return try CompareSide.pair(a.compareInput, b.compareInput, view: a.view, clock: clock)
    } catch {
      throw .badRequest(error.description)
    }
  }

  static func functionPattern(_ query: WebQuery) throws(WebError) -> String {
    guard let fn = query["fn"], !fn.isEmpty else { throw .badRequest("give a function pattern: fn=REGEX") }
    return fn
  }

  static func valueIndex(_ s: WebSession, _ query: WebQuery) throws(WebError) -> Int? {
    guard let name = query["index"], !name.isEmpty else { return nil }
    do { return try s.profile.valueIndex(for: name) } catch { throw .badRequest(error.description) }
  }

  static func callClock(_ query: WebQuery) throws(WebError) -> CallClock {
    guard let text = query["clock"], !text.isEmpty else { return .cpu }
    guard let c = CallClock(rawValue: text) else { throw .badRequest("clock must be cpu or wall, not '\(text)'") }
    return c
  }

  static func filterJSON(_ query: WebQuery, _ s: WebSession) -> JSONValue {
    .object(
      ["focus", "ignore", "hide"].map { key in
        let own = key == "focus" ? s.focus : key == "ignore" ? s.ignore : s.hide
        return (key, .string(query[key] ?? own.joined(separator: "|")))
      })
  }
}

extension String {
  fileprivate var trimmingSpaces: String { String(drop { $0 == " " }) }
}
