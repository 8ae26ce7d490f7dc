/// Splits text into lines at "\n", dropping one "\r" before it, so files written on Windows
/// (CRLF) read like any other. Swift treats "\r\n" as one Character, which a split on "\n"
/// never matches; this works on Unicode scalars instead.
enum TextLines {
  /// The lines of `text`; a final line break does not add an empty line.
  static func split(_ text: String) -> [String] {
    var lines: [String] = []
    let scalars = text.unicodeScalars
    var start = scalars.startIndex
    var index = start
    while index < scalars.endIndex {
      if scalars[index] == "\n" {
        lines.append(line(scalars, from: start, to: index))
        start = scalars.index(after: index)
      }
      index = scalars.index(after: index)
    }
    if start < scalars.endIndex { lines.append(line(scalars, from: start, to: scalars.endIndex)) }
    return lines
  }

  /// `scalars[from..<to]` without one trailing "\r".
  private static func line(
    _ scalars: String.UnicodeScalarView, from start: String.UnicodeScalarView.Index,
    to end: String.UnicodeScalarView.Index
  ) -> String {
    var end = end
    if end > start, scalars[scalars.index(before: end)] == "\r" { end = scalars.index(before: end) }
    return String(scalars[start..<end])
  }
}
