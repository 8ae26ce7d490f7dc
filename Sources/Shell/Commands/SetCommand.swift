import ArgumentParser

/// `set [NAME [VALUE]]`: lists settings with their origin, shows one, or changes one.
struct SetCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "set",
    abstract: "Show settings and where each came from, or change one.",
    discussion: """
      With no arguments, lists every setting, its value and its origin: flag,
      environment (PERFSH_NAME, NO_COLOR), config file, default, or set.

      EXAMPLES:
        set
        set freq
        set freq 1999
        set color=never
      """)
  static var shell: CommandSpec {
    CommandSpec(group: .shell, arguments: [.setting, .none])
  }

  @Argument(help: "The setting to show or change (NAME or NAME=VALUE).")
  var name: String?

  @Argument(help: "The new value.")
  var value: String?

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    guard var name else {
      context.out.write(Self.table(context.settings, names: context.settings.definitions.map(\.name)))
      return .success
    }
    var newValue = value
    if newValue == nil, let equals = name.firstIndex(of: "=") {
      newValue = String(name[name.index(after: equals)...])
      name = String(name[..<equals])
    }
    _ = try context.settings.definition(named: name)
    if let newValue {
      try context.settings.set(name, to: newValue, origin: .command, source: nil)
      return .success
    }
    context.out.write(Self.table(context.settings, names: [name]))
    return .success
  }

  /// `NAME  VALUE  ORIGIN` rows, with the summary of each setting.
  static func table(_ settings: Settings, names: [String]) -> String {
    var rows: [(String, String, String, String)] = []
    for name in names {
      guard let entry = settings.entry(name), let definition = try? settings.definition(named: name) else { continue }
      var origin = entry.origin.description
      if let source = entry.source, entry.origin != .flag { origin += " (\(source))" }
      rows.append((name, entry.value, origin, definition.summary))
    }
    let widths = (
      max(4, rows.map(\.0.count).max() ?? 0), max(5, rows.map(\.1.count).max() ?? 0),
      max(6, rows.map(\.2.count).max() ?? 0)
    )
    func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
    var text = pad("NAME", widths.0) + "  " + pad("VALUE", widths.1) + "  " + pad("ORIGIN", widths.2) + "  MEANING\n"
    for row in rows {
      text += pad(row.0, widths.0) + "  " + pad(row.1, widths.1) + "  " + pad(row.2, widths.2) + "  " + row.3 + "\n"
    }
    return text
  }
}
