import Analysis
import Formats
import ProfileModel
import Render

/// The flame-graph SVGs (the `export svg` renderer and its embedded zoom/search script) and the
/// downloads of a session in each format perfsh writes.
public enum WebFiles {
  /// The interactive flame graph of a session in one clock (`cpu`, `wall`, `offcpu`).
  public static func flameSVG(_ s: WebSession, query: WebQuery) throws(WebError) -> String {
    let graph = try flameGraph(s, query: query, filtered: true)
    let clock = query["clock"].flatMap { $0.isEmpty ? nil : $0 } ?? "cpu"
    return SVGFlameGraph.render(graph, options: SVGFlameOptions(title: "Flame graph: [\(s.id)] \(s.name) (\(clock))"))
  }

  /// The differential flame graph of B against A, coloured by significant change.
  public static func diffSVG(_ a: WebSession, _ b: WebSession, query: WebQuery) throws(WebError) -> String {
    let graphA = try flameGraph(a, query: query, filtered: false)
    let graphB = try flameGraph(b, query: query, filtered: false)
    // Runs and per-run self times as the shell's `flame A B` takes them: its compare sides of
    // the sessions' own profiles.
    let sideA: CompareSide
    let sideB: CompareSide
    do {
      sideA = try CompareSide(a.compareInput)
      sideB = try CompareSide(b.compareInput)
    } catch {
      throw .badRequest(error.description)
    }
    let diff = FlameDiff(
      a: graphA, b: graphB, runsA: sideA.runs, runsB: sideB.runs, repeatsA: sideA.repeatSelf, repeatsB: sideB.repeatSelf
    )
    let title = "Differential flame graph: [\(a.id)] \(a.name) → [\(b.id)] \(b.name)"
    return SVGFlameGraph.render(graphB, options: SVGFlameOptions(title: title, diff: diff))
  }

  static func flameGraph(_ s: WebSession, query: WebQuery, filtered: Bool) throws(WebError) -> FlameGraph {
    var column: Int?
    if let clock = query["clock"], !clock.isEmpty, clock != "cpu" || s.profile.sampleTypeIndex(named: "cpu") != nil {
      guard let i = s.profile.sampleTypeIndex(named: clock) else {
        throw .badRequest(
          "session [\(s.id)] has no \(clock) values (it has \(s.profile.sampleTypes.map(\.type).joined(separator: ", ")))"
        )
      }
      column = i
    }
    let filter = filtered ? try query.filter(for: s) : .none
    do {
      return try FlameGraph(
        profile: s.profile, options: FlameOptions(graph: GraphOptions(valueIndex: column, filter: filter)))
    } catch {
      throw .badRequest(error.description)
    }
  }

  /// A download: the bytes, a content type and a file name.
  public static func download(_ s: WebSession, format: String) throws(WebError) -> (
    bytes: [UInt8], type: String, file: String
  ) {
    let base = fileName(s.name)
    switch format {
    case "pprof":
      do { return (try PprofEncoder.encode(s.profile), "application/octet-stream", "\(base).pb.gz") } catch {
        throw WebError(status: 500, "pprof: \(error)")
      }
    case "folded":
      return (Array(FoldedStacksWriter.write(s.profile).utf8), "text/plain; charset=utf-8", "\(base).folded")
    case "speedscope":
      let text = SpeedscopeWriter.write(s.profile, name: s.name).text
      return (Array(text.utf8), "application/json", "\(base).speedscope.json")
    case "svg":
      return (Array(try flameSVG(s, query: WebQuery()).utf8), "image/svg+xml", "\(base).svg")
    case "session":
      let archived = ArchivedSession(
        name: s.name, source: s.origin, focus: s.focus, ignore: s.ignore, hide: s.hide, profile: s.profile)
      return (SessionArchive.encode([archived]), "application/octet-stream", "\(base).perfsh")
    default:
      throw .notFound("no download format '\(format)' (pprof, folded, speedscope, svg, session)")
    }
  }

  /// A session name made safe for a Content-Disposition file name.
  static func fileName(_ name: String) -> String {
    let safe = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    return safe.isEmpty || safe.hasPrefix(".") ? "session" + safe : safe
  }
}
