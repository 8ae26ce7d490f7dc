/// The parsed config file: `name = value` lines, `#` comments and blank lines.
public struct ConfigFile: Sendable, Equatable {
  /// One `name = value` line.
  public struct Line: Sendable, Equatable {
    /// 1-based line number.
    public var number: Int
    /// The setting name.
    public var name: String
    /// The value (surrounding spaces and one pair of quotes removed).
    public var value: String
  }

  /// The file's path, for messages.
  public var path: String
  /// The settings it assigns, in file order.
  public var lines: [Line]
  /// `PATH:LINE: message` for lines that are not `name = value`.
  public var problems: [String]

  /// Parses the text of a config file.
  public init(path: String, text: String) {
    self.path = path
    var lines: [Line] = []
    var problems: [String] = []
    for (offset, raw) in TextLines.split(text).enumerated() {
      let line = raw.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard let equals = line.firstIndex(of: "=") else {
        problems.append("\(path):\(offset + 1): expected 'name = value'")
        continue
      }
      let name = String(line[..<equals]).trimmingWhitespace()
      var value = String(line[line.index(after: equals)...]).trimmingWhitespace()
      if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
        value = String(value.dropFirst().dropLast())
      }
      lines.append(Line(number: offset + 1, name: name, value: value))
    }
    self.lines = lines
    self.problems = problems
  }
}
