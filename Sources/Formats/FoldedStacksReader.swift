import ProfileModel

/// Reads folded stacks, the text format of flame-graph tools: one `main;parse;scan 42` per line,
/// frames root first, the last space-separated field the sample count.
///
/// Blank lines and lines starting with `#` are skipped; any other line without a trailing
/// integer is an error naming its line number. Counts are never negative (flame-graph tools
/// write sample counts), and all counts together stay below 2^62 (ProfileModel's `ValueLimit`);
/// a line that breaks either rule is an error naming its line number. Each line becomes one sample of type
/// `samples/count`; frame names become functions and locations without addresses.
/// A line deeper than `StackDepthLimit.maxFrames` keeps its leaf-most frames under a marker frame.
public enum FoldedStacksReader {
  /// Bytes the profile is taken to hold per stack node, sample and frame name (generous: a node
  /// is its parent, location and child-index slot; a name its function, location and strings).
  static let bytesPerNode = 48, bytesPerSample = 32, bytesPerName = 160

  /// The profile described by `bytes`.
  public static func read(_ bytes: [UInt8], memoryBudget: Int = PprofDecoder.defaultMemoryBudget) throws(FormatError)
    -> Profile
  {
    try withRawBytes(bytes) { (raw) throws(FormatError) in try read(raw, memoryBudget: memoryBudget) }
  }

  /// The profile described by `buffer`; refuses with `needsTooMuchMemory` once the profile being
  /// built would pass `memoryBudget` (a few hundred KB of gzip can hold a gigabyte of lines that
  /// each make thousands of new stack nodes).
  public static func read(
    _ buffer: UnsafeRawBufferPointer, memoryBudget: Int = PprofDecoder.defaultMemoryBudget
  ) throws(FormatError) -> Profile {
    var state = FoldedState()
    state.escapedNames = startsWithEscapeHeader(buffer)
    var lineNumber = 0
    var start = 0
    let count = buffer.count
    while start < count {
      var end = start
      while end < count && buffer[end] != 0x0A { end += 1 }
      lineNumber += 1
      try state.addLine(UnsafeRawBufferPointer(rebasing: buffer[start..<end]), number: lineNumber)
      let p = state.profile
      let estimate = p.stacks.count * bytesPerNode + p.samples.count * bytesPerSample + p.locations.count * bytesPerName
      if estimate > memoryBudget { throw .needsTooMuchMemory(limit: memoryBudget) }
      start = end + 1
    }
    var profile = state.profile
    state = FoldedState()  // the only other reference, so compacting copies nothing
    profile.compact()
    return profile
  }

  /// True when the first line is `FoldedNameEscaping.header` (a carriage return may end it).
  static func startsWithEscapeHeader(_ buffer: UnsafeRawBufferPointer) -> Bool {
    let header = FoldedNameEscaping.header.utf8
    guard buffer.count >= header.count, buffer.prefix(header.count).elementsEqual(header) else { return false }
    var rest = buffer.count > header.count ? buffer[header.count] : UInt8(ascii: "\n")
    if rest == UInt8(ascii: "\r") {
      rest = buffer.count > header.count + 1 ? buffer[header.count + 1] : UInt8(ascii: "\n")
    }
    return rest == UInt8(ascii: "\n")
  }

  /// True when `line` (without its newline) reads as a folded-stacks sample line.
  static func isSampleLine(_ line: UnsafeRawBufferPointer) -> Bool {
    (try? parse(line, number: 0)) != nil
  }

  /// Splits one non-blank line into its frames' byte ranges (root first) and its count.
  static func parse(_ line: UnsafeRawBufferPointer, number: Int) throws(FormatError) -> (
    frames: [Range<Int>], count: Int64
  ) {
    var end = line.count
    while end > 0 && isSpace(line[end - 1]) { end -= 1 }
    var split = end
    while split > 0 && !isSpace(line[split - 1]) { split -= 1 }
    guard split > 0 else {
      throw .badFoldedLine(line: number, reason: "expected `frame;frame;… COUNT`, with a count after the last space")
    }
    let count = try parseCount(UnsafeRawBufferPointer(rebasing: line[split..<end]), line: number)
    var stackEnd = split
    while stackEnd > 0 && isSpace(line[stackEnd - 1]) { stackEnd -= 1 }
    var frames: [Range<Int>] = []
    var frameStart = 0
    for i in 0...stackEnd where i == stackEnd || line[i] == UInt8(ascii: ";") {
      if i > frameStart { frames.append(frameStart..<i) }
      frameStart = i + 1
    }
    guard !frames.isEmpty else { throw .badFoldedLine(line: number, reason: "no frames before the count") }
    return (frames, count)
  }

  private static func parseCount(_ text: UnsafeRawBufferPointer, line: Int) throws(FormatError) -> Int64 {
    var digits = text[...]
    let negative = digits.first == UInt8(ascii: "-")
    if negative { digits = digits.dropFirst() }
    var value: Int64 = 0
    guard !digits.isEmpty else { throw notCount(text, line) }
    for byte in digits {
      guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw notCount(text, line) }
      let (times10, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
      guard !o1 && !o2 else { throw .badFoldedLine(line: line, reason: "count does not fit in 64 bits") }
      value = sum
    }
    return negative ? -value : value
  }

  private static func notCount(_ text: UnsafeRawBufferPointer, _ line: Int) -> FormatError {
    let shown = String(decoding: text.prefix(40), as: UTF8.self)
    return .badFoldedLine(line: line, reason: "the last field `\(shown)` is not an integer count")
  }

  @inline(__always) static func isSpace(_ b: UInt8) -> Bool {
    b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r")
  }
}

/// The profile being built from folded lines, with a cache from frame name to location.
private struct FoldedState {
  var profile = Profile(sampleTypes: [ValueType(type: "samples", unit: "count")])
  var locationByName: [String: LocationID] = [:]
  var countSum = ValueLimit.Sum()
  /// Frame names are percent-escaped (the file starts with `FoldedNameEscaping.header`).
  var escapedNames = false
  /// Marker frames of stacks deeper than `StackDepthLimit.maxFrames`.
  var markers = TruncationMarkers()

  mutating func addLine(_ line: UnsafeRawBufferPointer, number: Int) throws(FormatError) {
    var first = 0
    while first < line.count && FoldedStacksReader.isSpace(line[first]) { first += 1 }
    if first == line.count || line[first] == UInt8(ascii: "#") { return }
    let (frames, count) = try FoldedStacksReader.parse(line, number: number)
    guard count >= 0 else {
      throw .badFoldedLine(line: number, reason: "negative count \(count) (folded stacks hold sample counts)")
    }
    guard countSum.add(count) else {
      throw .badFoldedLine(
        line: number, reason: "the counts add up to \(ValueLimit.columnMagnitudeText) or more: not a valid profile")
    }
    var node = StackID.root
    // Frames are root first: past the depth limit the root-side ones become one marker frame.
    let dropped = StackDepthLimit.droppedFrames(depth: frames.count)
    if dropped > 0 { node = profile.stacks.child(of: node, location: markers.location(dropped: dropped, in: &profile)) }
    for range in frames[dropped...] {
      let text = UnsafeRawBufferPointer(rebasing: line[range])
      let name = escapedNames ? FoldedNameEscaping.unescape(text) : String(decoding: text, as: UTF8.self)
      node = profile.stacks.child(of: node, location: location(named: name))
    }
    profile.samples.append(stack: node, values: CollectionOfOne(count))
  }

  private mutating func location(named name: String) -> LocationID {
    if let id = locationByName[name] { return id }
    let s = profile.strings.intern(name)
    let f = FunctionID(profile.functions.count)
    profile.functions.append(Function(name: s, systemName: s, filename: .empty))
    let id = LocationID(profile.locations.count)
    profile.locations.append(Location(lines: [Line(function: f)]))
    locationByName[name] = id
    return id
  }
}
