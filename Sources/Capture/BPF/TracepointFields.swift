/// Field offsets of a kernel tracepoint, read from its tracefs `format` file: BPF programs on
/// tracepoints read fields at these offsets, which move between kernel versions (6.x changed
/// sched_process_fork's comms to __data_loc, moving child_pid from 44 to 20).
public struct TracepointFields: Sendable, Equatable {
  /// One field: byte offset and size in the tracepoint's record.
  public struct Field: Sendable, Equatable {
    public var offset: Int
    public var size: Int

    public init(offset: Int, size: Int) {
      self.offset = offset
      self.size = size
    }
  }

  /// Fields by name (the last word of the declaration, without an array suffix).
  public private(set) var fields: [String: Field] = [:]

  /// Parses a format file's `field:TYPE NAME;\toffset:N;\tsize:N;…` lines; other lines are
  /// skipped, and so are field lines that do not have this shape.
  public init(format: String) {
    for line in format.split(separator: "\n") {
      let parts = line.split(separator: ";").map { $0.trimmingWhitespace() }
      guard parts.count >= 3, parts[0].hasPrefix("field:"), parts[1].hasPrefix("offset:"), parts[2].hasPrefix("size:"),
        let offset = Int(parts[1].dropFirst(7)), let size = Int(parts[2].dropFirst(5)), offset >= 0, size > 0
      else { continue }
      guard var name = parts[0].split(separator: " ").last.map(String.init) else { continue }
      if let bracket = name.firstIndex(of: "[") { name = String(name[..<bracket]) }
      guard !name.isEmpty, !name.hasPrefix("field:") else { continue }
      fields[name] = Field(offset: offset, size: size)
    }
  }

  /// The fields of `category:event` from tracefs, or nil when it cannot be read.
  public static func read(category: String, event: String) -> TracepointFields? {
    guard let root = Tracefs.root(),
      let text = SystemInfo.readSmallFile("\(root)/events/\(category)/\(event)/format")
    else { return nil }
    return TracepointFields(format: text)
  }
}

extension Substring {
  fileprivate func trimmingWhitespace() -> Substring {
    var s = self
    while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
    while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
    return s
  }
}
