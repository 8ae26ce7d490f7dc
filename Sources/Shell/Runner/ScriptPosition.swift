/// A place in a script: the file name as given and a 1-based line number.
public struct ScriptPosition: Sendable, Equatable, CustomStringConvertible {
  /// The file as the user named it (or `-c`, `stdin`).
  public var file: String
  /// The 1-based line.
  public var line: Int

  /// Makes a position.
  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }

  /// `FILE:LINE`.
  public var description: String { "\(file):\(line)" }
}
