/// Recognizes Go binaries, where return probes are unsafe: Go moves goroutine stacks and
/// checks return addresses, so a hijacked return address crashes the program.
public enum GoBinaryDetector {
  /// True when `file` has a `.go.buildinfo` or `.gopclntab` section.
  public static func isGo(_ file: ELFFile) -> Bool {
    file.sections.contains { $0.name == ".go.buildinfo" || $0.name == ".gopclntab" }
  }

  /// True when the file at `path` is a Go binary; false when it cannot be read.
  public static func isGo(path: String) -> Bool {
    do {
      let object = try ObjectFileCache.shared.open(path)
      return withExtendedLifetime(object) { isGo(object.elf) }
    } catch {
      return false
    }
  }
}
