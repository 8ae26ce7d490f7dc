import Analysis
import ProfileModel

/// The heatmap table as machine-readable text for CI: raw nanoseconds and counts, no
/// grouping, empty fields (CSV) or null (JSON) where a value was not measured.
public enum HeatmapExport {
  /// `function,count,cpu_ns,avg_ns,max_ns,p95_ns` then one line per function.
  public static func csv(_ heatmap: Heatmap) -> String {
    var out = "function,count,cpu_ns,avg_ns,max_ns,p95_ns,count_is\n"
    let kind = heatmap.isExact ? "calls" : "samples"
    for r in heatmap.rows {
      let fields = [
        csvField(r.name), String(r.count), heatmap.countsOnly ? "" : String(r.cpuNanos),
        r.avgNanos.map(String.init) ?? "", r.maxNanos.map(String.init) ?? "", r.p95Nanos.map(String.init) ?? "", kind,
      ]
      out += fields.joined(separator: ",") + "\n"
    }
    return out
  }

  /// A JSON object with the session's facts and a `functions` array.
  public static func json(_ heatmap: Heatmap, facts: SummaryFacts) -> String {
    func num(_ v: Int64?) -> String { v.map(String.init) ?? "null" }
    var out = "{\n"
    out += "  \"command\": \(facts.command.map(jsonString) ?? "null"),\n"
    out += "  \"exit\": \(facts.exit.map(jsonString) ?? "null"),\n"
    out += "  \"elapsed_ns\": \(num(facts.elapsedNanos)),\n"
    out += "  \"cpu_ns\": \(num(facts.cpuNanos)),\n"
    out += "  \"samples\": \(num(facts.samples)),\n"
    out += "  \"lost\": \(num(facts.lost)),\n"
    out += "  \"total_calls\": \(num(heatmap.totalCalls)),\n"
    out += "  \"exact\": \(heatmap.isExact),\n"
    out += "  \"functions\": ["
    for (i, r) in heatmap.rows.enumerated() {
      out += i == 0 ? "\n" : ",\n"
      out +=
        "    {\"name\": \(jsonString(r.name)), \"count\": \(r.count), \"cpu_ns\": \(heatmap.countsOnly ? "null" : String(r.cpuNanos)), "
      out += "\"avg_ns\": \(num(r.avgNanos)), \"max_ns\": \(num(r.maxNanos)), \"p95_ns\": \(num(r.p95Nanos))}"
    }
    out += heatmap.rows.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
    return out
  }

  static func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
    var quoted = "\""
    for ch in s { quoted += ch == "\"" ? "\"\"" : String(ch) }
    return quoted + "\""
  }

  /// `s` as a JSON string literal.
  public static func jsonString(_ s: String) -> String { JSONStringLiteral.quoted(s) }
}
