import Foundation

/// pprof's unit handling (`internal/measurement`): scaling between units of time, memory and
/// GCU, `ScaledLabel` and `Percentage`, reproduced to the character.
public enum PprofUnits {
  struct Unit {
    var name: String
    var aliases: [String]
    var factor: Double
  }
  struct UnitType {
    var units: [Unit]
    var defaultUnit: Unit

    func sniff(_ unit: String) -> Unit? {
      var u = unit.lowercased()
      if u.utf8.count > 2, u.hasSuffix("s") { u.removeLast() }
      return units.first { $0.aliases.contains(u) }
    }

    func autoScale(_ value: Double) -> (Double, String)? {
      var f = 0.0
      var name = ""
      for u in units where u.factor >= f && value / u.factor >= 1.0 {
        f = u.factor
        name = u.name
      }
      return f == 0 ? nil : (value / f, name)
    }

    func convert(_ value: Int64, from: String, to: String) -> (Double, String)? {
      guard let fromUnit = sniff(from) else { return nil }
      let v = Double(value) * fromUnit.factor
      if to == "minimum" || to == "auto" {
        if let scaled = autoScale(v) { return scaled }
        return (v / defaultUnit.factor, defaultUnit.name)
      }
      guard let toUnit = sniff(to) else { return (v / defaultUnit.factor, defaultUnit.name) }
      return (v / toUnit.factor, toUnit.name)
    }
  }

  static let unitTypes: [UnitType] = {
    let bytes = [
      Unit(name: "B", aliases: ["b", "byte"], factor: 1),
      Unit(name: "kB", aliases: ["kb", "kbyte", "kilobyte"], factor: Double(1 << 10)),
      Unit(name: "MB", aliases: ["mb", "mbyte", "megabyte"], factor: Double(1 << 20)),
      Unit(name: "GB", aliases: ["gb", "gbyte", "gigabyte"], factor: Double(1 << 30)),
      Unit(name: "TB", aliases: ["tb", "tbyte", "terabyte"], factor: Double(1 << 40)),
      Unit(name: "PB", aliases: ["pb", "pbyte", "petabyte"], factor: Double(1 << 50)),
    ]
    let time = [
      Unit(name: "ns", aliases: ["ns", "nanosecond"], factor: 1),
      Unit(name: "us", aliases: ["μs", "us", "microsecond"], factor: 1e3),
      Unit(name: "ms", aliases: ["ms", "millisecond"], factor: 1e6),
      Unit(name: "s", aliases: ["s", "sec", "second"], factor: 1e9),
      Unit(name: "hrs", aliases: ["hour", "hr"], factor: 3600e9),
    ]
    let gcu = [
      Unit(name: "n*GCU", aliases: ["nanogcu"], factor: 1e-9),
      Unit(name: "u*GCU", aliases: ["microgcu"], factor: 1e-6),
      Unit(name: "m*GCU", aliases: ["milligcu"], factor: 1e-3),
      Unit(name: "GCU", aliases: ["gcu"], factor: 1),
      Unit(name: "k*GCU", aliases: ["kilogcu"], factor: 1e3),
      Unit(name: "M*GCU", aliases: ["megagcu"], factor: 1e6),
      Unit(name: "G*GCU", aliases: ["gigagcu"], factor: 1e9),
      Unit(name: "T*GCU", aliases: ["teragcu"], factor: 1e12),
      Unit(name: "P*GCU", aliases: ["petagcu"], factor: 1e15),
    ]
    return [
      UnitType(units: bytes, defaultUnit: bytes[0]),
      UnitType(units: time, defaultUnit: Unit(name: "s", aliases: [], factor: 1e9)),
      UnitType(units: gcu, defaultUnit: Unit(name: "GCU", aliases: [], factor: 1)),
    ]
  }()

  /// `value` in `fromUnit` expressed in `toUnit` ("minimum"/"auto" pick a unit for the value),
  /// and the unit's name ("" for counts).
  public static func scale(_ value: Int64, from fromUnit: String, to toUnit: String) -> (value: Double, unit: String) {
    if value < 0 && value != Int64.min {
      let (v, u) = scale(-value, from: fromUnit, to: toUnit)
      return (-v, u)
    }
    for type in unitTypes {
      if let r = type.convert(value, from: fromUnit, to: toUnit) { return r }
    }
    switch toUnit {
    case "count", "sample", "unit", "minimum", "auto": return (Double(value), "")
    default: return (Double(value), toUnit)
    }
  }

  /// pprof's `ScaledLabel`: two decimals, `.00` trimmed, then the unit (`1.10s`, `0`, `241`).
  public static func scaledLabel(_ value: Int64, from fromUnit: String, to toUnit: String) -> String {
    if fromUnit.isEmpty && toUnit == "count" { return String(value) }
    let (v, u) = scale(value, from: fromUnit, to: toUnit)
    var s = String(format: "%.2f", v)
    if s.hasSuffix(".00") { s.removeLast(3) }
    if s == "0" || s == "-0" { return "0" }
    return s + u
  }

  /// pprof's `Percentage`: `  100%`, `%5.2f%%` from 1 %, `%5.2g%%` below.
  public static func percentage(_ value: Int64, of total: Int64) -> String {
    var ratio = 0.0
    if total != 0 { ratio = abs(Double(value) / Double(total)) * 100 }
    if ratio >= 99.95 && ratio <= 100.05 { return "  100%" }
    if ratio >= 1.0 { return String(format: "%5.2f%%", ratio) }
    return String(format: "%5.2g%%", ratio)
  }

  /// pprof's `selectOutputUnit` for `unit=minimum`: one unit for the whole report, chosen from
  /// the smallest non-zero node value and the total (allowing the smallest to show as 0.01).
  /// `nodeValues` are (flat, cum) pairs of the nodes shown.
  public static func reportUnit(sampleUnit: String, nodeValues: [(flat: Int64, cum: Int64)], total: Int64) -> String {
    guard !nodeValues.isEmpty else { return "minimum" }
    var minValue: Int64 = 0
    for (flat, cum) in nodeValues {
      var v = flat.magnitude
      if v == 0 { v = cum.magnitude }
      if v > 0 && (minValue == 0 || Int64(clamping: v) < minValue) { minValue = Int64(clamping: v) }
    }
    let maxValue = total
    if minValue == 0 { minValue = maxValue }
    let minUnit = scale(minValue, from: sampleUnit, to: "minimum").unit
    let maxUnit = scale(maxValue, from: sampleUnit, to: "minimum").unit
    var unit = minUnit
    if minUnit != maxUnit && minValue.multipliedReportingOverflow(by: 100).partialValue < maxValue {
      unit = scale(100 * minValue, from: sampleUnit, to: "minimum").unit
    }
    return unit.isEmpty ? sampleUnit : unit
  }
}

/// Formats the values of one report with one output unit, as pprof's `rpt.formatValue`.
public struct ValueFormatter: Sendable {
  /// The profile's unit, lower-cased (e.g. `nanoseconds`, `count`).
  public var sampleUnit: String
  /// The unit every value is shown in, or "minimum" to scale each value on its own.
  public var outputUnit: String

  /// A formatter with an explicit output unit (`minimum` scales each value).
  public init(sampleUnit: String, outputUnit: String) {
    self.sampleUnit = sampleUnit.lowercased()
    self.outputUnit = outputUnit
  }

  /// pprof's choice for a report: one unit from the values shown and the total.
  public init(sampleUnit: String, nodeValues: [(flat: Int64, cum: Int64)], total: Int64) {
    let unit = sampleUnit.lowercased()
    self.init(
      sampleUnit: unit, outputUnit: PprofUnits.reportUnit(sampleUnit: unit, nodeValues: nodeValues, total: total))
  }

  /// The value as pprof prints it in this report.
  public func format(_ value: Int64) -> String {
    PprofUnits.scaledLabel(value, from: sampleUnit, to: outputUnit)
  }

  /// `.` for zero (pprof's `valueOrDot`), else `format`.
  public func formatOrDot(_ value: Int64) -> String {
    value == 0 ? "." : format(value)
  }
}
