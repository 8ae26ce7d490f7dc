import ProfileModel

/// Reads Chrome trace-event JSON (`{"traceEvents": [...]}` or a bare array, as `clang
/// -ftime-trace`, Chrome and perfsh's `export chrome` write) into a traced profile: per event
/// name exact Count, self time (an event's duration minus the events nested in it on the same
/// pid/tid), total, Max and P95, as wall-clock `callStatistics`; samples per nesting path with
/// `calls/count` and `self/nanoseconds` so `top`, `tree` and flame graphs work; and the events
/// themselves (bounded) as `callEvents`, so `export chrome` writes them again.
///
/// Complete (`X`) events and `B`/`E` pairs count; metadata (`M`) names threads; other phases
/// (instant, counter, async, flow) are counted and left out. Problems in single events
/// (negative durations, an `E` without its `B`, a `B` never ended, events that overlap
/// without nesting) are counted and reported as warnings; malformed JSON is an error.
public enum ChromeTraceReader {
  /// Deepest JSON nesting accepted (args objects nest a little; traces never deeply).
  public static let maxJSONDepth = 64
  /// Memory one span costs while loading (span, per-name self time, sample, log entry), for the budget.
  static let bytesPerSpan = 96

  /// The result of a load: the profile and the warnings it carries in its notes too.
  public struct Result: Sendable {
    public var profile: Profile
    /// Counted problems, one line per kind (also in `profile.run.notes`, prefixed "warning: ").
    public var warnings: [String]
  }

  /// True when `bytes` start (after whitespace) like a JSON object, or like a JSON array of
  /// objects (a folded-stacks frame such as `[unknown];main 3` also starts with `[`).
  public static func looksLikeJSON(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var i = 0
    func skip() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }
    skip()
    if bytes.count >= i + 3, bytes[i] == 0xEF, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF { i += 3 }  // UTF-8 BOM
    skip()
    guard i < bytes.count else { return false }
    if bytes[i] == UInt8(ascii: "{") { return true }
    guard bytes[i] == UInt8(ascii: "[") else { return false }
    i += 1
    skip()
    return i == bytes.count || bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "]")
  }

  /// Reads the trace in `bytes`; `memoryBudget` bounds what the load may build.
  public static func read(
    _ bytes: UnsafeRawBufferPointer, memoryBudget: Int = PprofDecoder.defaultMemoryBudget,
    logCapacity: Int = CallEventLog.defaultCapacity
  ) throws(FormatError) -> Result {
    var collector = ChromeSpanCollector(memoryBudget: memoryBudget)
    var scanner = JSONScanner(bytes, maxDepth: maxJSONDepth)
    if scanner.peek() == 0xEF, bytes.count >= 3, bytes[1] == 0xBB, bytes[2] == 0xBF {
      scanner = JSONScanner(UnsafeRawBufferPointer(rebasing: bytes[3...]), maxDepth: maxJSONDepth)
    }
    switch scanner.peek() {
    case UInt8(ascii: "{")?:
      try scanner.expect(UInt8(ascii: "{"), "'{'")
      var first = true
      var sawEvents = false
      while let key = try scanner.nextKey(&first) {
        if scanner.equals(key, "traceEvents") {
          guard scanner.peek() == UInt8(ascii: "[") else { throw scanner.error("traceEvents is not an array") }
          try readEvents(&scanner, into: &collector, allowMissingEnd: false)
          sawEvents = true
        } else {
          try scanner.skipValue()
        }
      }
      guard sawEvents else { throw .invalidChromeTrace(reason: "the object has no traceEvents array") }
    case UInt8(ascii: "[")?:
      // The array format may omit its closing bracket (a trace still being written).
      try readEvents(&scanner, into: &collector, allowMissingEnd: true)
    default:
      throw scanner.error("expected '{' or '['")
    }
    guard scanner.isAtEnd() else { throw scanner.error("unexpected text after the trace") }
    return try collector.build(logCapacity: logCapacity)
  }

  /// Reads the event array (at `[`), feeding each event object to `collector`.
  private static func readEvents(
    _ scanner: inout JSONScanner, into collector: inout ChromeSpanCollector, allowMissingEnd: Bool
  ) throws(FormatError) {
    try scanner.expect(UInt8(ascii: "["), "'['")
    var first = true
    while true {
      if allowMissingEnd {
        // `[ {...}, {...},` and `[ {...}` at the end of the input close the array.
        if scanner.isAtEnd() {
          collector.unterminatedArray = true
          return
        }
        if !first, scanner.peek() == UInt8(ascii: ",") {
          var probe = scanner
          try probe.expect(UInt8(ascii: ","), "','")
          if probe.isAtEnd() {
            scanner = probe
            collector.unterminatedArray = true
            return
          }
        }
      }
      guard try scanner.nextElement(&first) else { return }
      guard scanner.peek() == UInt8(ascii: "{") else {
        try scanner.skipValue()
        collector.notObjects += 1
        continue
      }
      try readEvent(&scanner, into: &collector)
    }
  }

  /// Reads one event object's fields that matter; the rest is skipped.
  private static func readEvent(_ scanner: inout JSONScanner, into collector: inout ChromeSpanCollector)
    throws(FormatError)
  {
    try scanner.expect(UInt8(ascii: "{"), "'{'")
    var event = ChromeEvent()
    var first = true
    while let key = try scanner.nextKey(&first) {
      if scanner.equals(key, "name") {
        guard scanner.peek() == UInt8(ascii: "\"") else {
          try scanner.skipValue()
          continue
        }
        event.name = try scanner.rawString()
      } else if scanner.equals(key, "ph") {
        guard scanner.peek() == UInt8(ascii: "\"") else {
          try scanner.skipValue()
          continue
        }
        let raw = try scanner.rawString()
        event.phase = raw.range.count == 1 && !raw.hasEscapes ? scanner.bytes[raw.range.lowerBound] : UInt8(ascii: "?")
      } else if scanner.equals(key, "ts") {
        event.ts = try number(&scanner, scale: 3, field: &event.badNumber)
      } else if scanner.equals(key, "dur") {
        event.dur = try number(&scanner, scale: 3, field: &event.badNumber)
      } else if scanner.equals(key, "pid") {
        event.pid = try threadPart(&scanner)
      } else if scanner.equals(key, "tid") {
        event.tid = try threadPart(&scanner)
      } else if scanner.equals(key, "args"), scanner.peek() == UInt8(ascii: "{") {
        // Only args.name (metadata events name threads with it) and perfsh's cpu_us matter.
        try scanner.expect(UInt8(ascii: "{"), "'{'")
        var firstArg = true
        while let argKey = try scanner.nextKey(&firstArg) {
          if scanner.equals(argKey, "name"), scanner.peek() == UInt8(ascii: "\"") {
            event.argName = try scanner.string()
          } else if scanner.equals(argKey, "cpu_us") {
            // perfsh's own export: the call's CPU time, kept for the next export.
            var ignored = false
            event.cpu = try number(&scanner, scale: 3, field: &ignored)
          } else {
            try scanner.skipValue()
          }
        }
      } else {
        try scanner.skipValue()
      }
    }
    try collector.add(event, scanner: scanner)
  }

  /// A number field in units scaled by 10^`scale`; a number out of range sets `bad`, a
  /// non-number is skipped (nil).
  private static func number(_ scanner: inout JSONScanner, scale: Int, field bad: inout Bool) throws(FormatError)
    -> Int64?
  {
    guard let b = scanner.peek(), b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) else {
      try scanner.skipValue()
      return nil
    }
    let text = try scanner.numberText()
    guard let v = scanner.scaled(text, by: scale), v.magnitude < 1 << 61 else {
      bad = true
      return nil
    }
    return v
  }

  /// A pid or tid: a number, or a string (some tools name threads instead of numbering them).
  private static func threadPart(_ scanner: inout JSONScanner) throws(FormatError) -> ChromeEvent.ThreadPart {
    switch scanner.peek() {
    case UInt8(ascii: "\"")?: return .text(try scanner.string())
    case let b? where b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")):
      let text = try scanner.numberText()
      return .number(scanner.scaled(text, by: 0) ?? 0)
    default:
      try scanner.skipValue()
      return .number(0)
    }
  }
}

/// One event's fields as read.
struct ChromeEvent {
  enum ThreadPart: Hashable {
    case number(Int64)
    case text(String)
  }
  var name: JSONScanner.RawString?
  var phase: UInt8 = 0
  var ts: Int64?
  var dur: Int64?
  var pid: ThreadPart = .number(0)
  var tid: ThreadPart = .number(0)
  var argName: String?
  var cpu: Int64?
  var badNumber = false
}
