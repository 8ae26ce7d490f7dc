import ProfileModel

/// Everything a profile says, with strings resolved, as comparable values; two profiles that
/// mean the same have equal summaries even when their string tables differ in order or extras.
struct ProfileSummary: Equatable {
  struct Fn: Equatable {
    var name, systemName, file: String
    var startLine: Int64
  }
  struct Map: Equatable {
    var start, limit, offset: UInt64
    var file, buildID: String
    var flags: [Bool]
  }
  struct Loc: Equatable {
    var address: UInt64
    var mapping: Int?
    var lines: [[Int64]]
    var isFolded: Bool
  }
  struct Lab: Hashable {
    var key, string: String
    var number: Int64
    var unit: String
  }
  struct Sample: Equatable {
    var leafFirst: [Int]
    var values: [Int64]
    var labels: [Lab]
  }

  var sampleTypes: [ValueType]
  var defaultSampleType: Int?
  var periodType: ValueType?
  var period, timeNanos, durationNanos: Int64
  var comments: [String]
  var dropFrames, keepFrames, docURL: String
  var functions: [Fn]
  var mappings: [Map]
  var locations: [Loc]
  var samples: [Sample]

  init(_ p: Profile) {
    sampleTypes = p.sampleTypes
    defaultSampleType = p.defaultSampleType
    periodType = p.periodType
    period = p.period
    timeNanos = p.timeNanos
    durationNanos = p.durationNanos
    comments = p.comments
    dropFrames = p.dropFrames
    keepFrames = p.keepFrames
    docURL = p.docURL
    functions = p.functions.map {
      Fn(
        name: p.string($0.name), systemName: p.string($0.systemName), file: p.string($0.filename),
        startLine: $0.startLine)
    }
    mappings = p.mappings.map {
      Map(
        start: $0.start, limit: $0.limit, offset: $0.fileOffset, file: p.string($0.filename),
        buildID: p.string($0.buildID),
        flags: [$0.hasFunctions, $0.hasFilenames, $0.hasLineNumbers, $0.hasInlineFrames])
    }
    locations = p.locations.map {
      Loc(
        address: $0.address, mapping: $0.mapping?.index,
        lines: $0.lines.map { [Int64($0.function.index), $0.line, $0.column] }, isFolded: $0.isFolded)
    }
    samples = (0..<p.samples.count).map { i in
      Sample(
        leafFirst: p.stacks.frames(leafFirst: p.samples.stacks[i]).map(\.index),
        values: Array(p.samples.values(of: i)),
        labels: p.labelSets[p.samples.labelSets[i]].map {
          Lab(key: p.string($0.key), string: p.string($0.string), number: $0.number, unit: p.string($0.numberUnit))
        })
    }
  }

  /// Names of the fields that differ, for a readable failure message.
  func differences(from other: ProfileSummary) -> [String] {
    var d: [String] = []
    if sampleTypes != other.sampleTypes { d.append("sampleTypes \(sampleTypes) vs \(other.sampleTypes)") }
    if defaultSampleType != other.defaultSampleType { d.append("defaultSampleType") }
    if periodType != other.periodType || period != other.period { d.append("period") }
    if timeNanos != other.timeNanos || durationNanos != other.durationNanos { d.append("time/duration") }
    if comments != other.comments { d.append("comments \(comments) vs \(other.comments)") }
    if dropFrames != other.dropFrames || keepFrames != other.keepFrames || docURL != other.docURL {
      d.append("drop/keep/doc")
    }
    if functions != other.functions { d.append("functions") }
    if mappings != other.mappings { d.append("mappings") }
    if locations != other.locations { d.append("locations") }
    if samples.count != other.samples.count {
      d.append("sample count \(samples.count) vs \(other.samples.count)")
    } else if let i = samples.indices.first(where: { samples[$0] != other.samples[$0] }) {
      d.append("sample \(i): \(samples[i]) vs \(other.samples[i])")
    }
    return d
  }
}

/// pprof's `-top` numbers computed directly from a profile, as the oracle for `go tool pprof`:
/// flat goes to the innermost line of the leaf location, cum once per sample to every
/// function anywhere in its stack.
func referenceTop(_ p: Profile, column: Int) -> [String: (flat: Int64, cum: Int64)] {
  var result: [String: (flat: Int64, cum: Int64)] = [:]
  for i in 0..<p.samples.count {
    let v = p.samples.value(i, column)
    let frames = p.stacks.frames(leafFirst: p.samples.stacks[i])
    var seen = Set<String>()
    for (depth, loc) in frames.enumerated() {
      let lines = p.locations[loc.index].lines
      // pprof names a location without lines "<unknown>" when reporting by function.
      let names = lines.isEmpty ? ["<unknown>"] : lines.map { p.name(of: $0.function) }
      for (k, name) in names.enumerated() {
        if depth == 0 && k == 0 { result[name, default: (0, 0)].flat += v }
        if seen.insert(name).inserted { result[name, default: (0, 0)].cum += v }
      }
    }
  }
  return result.filter { $0.value.flat != 0 || $0.value.cum != 0 }
}
