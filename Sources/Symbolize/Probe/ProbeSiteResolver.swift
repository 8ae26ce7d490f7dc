import Glibc

/// Turns `--trace` patterns into probe sites: every function symbol of the executable (or
/// of the library a `LIB:` prefix names) whose demangled name matches the regex, with the
/// file offset of its entry computed through the PT_LOAD segment that maps it.
public struct ProbeSiteResolver {
  /// The default cap on matched functions; more needs an explicit `--trace-max`.
  public static let defaultLimit = 1000

  /// The executable the patterns without a prefix apply to.
  public let executable: String
  private let locator: LibraryLocator

  /// A resolver for `executable` (a path; made absolute so the kernel finds the same file).
  public init(executable: String) {
    let absolute = ProbeSiteResolver.absolutePath(executable)
    self.executable = absolute
    self.locator = LibraryLocator(executable: absolute)
  }

  /// The sites matching `patterns`, one per function (first pattern first, then by address),
  /// at most `limit` of them. Throws when a pattern is invalid or matches nothing.
  public func resolve(_ patterns: [String], limit: Int = ProbeSiteResolver.defaultLimit) throws(ProbeResolveError)
    -> [ProbeSite]
  {
    var sites: [ProbeSite] = []
    var seen = Set<String>()
    for text in patterns {
      let pattern = TracePattern(text)
      let file =
        try pattern.library.map { lib throws(ProbeResolveError) in try locator.locate(lib, executable: executable) }
        ?? executable
      let regex: Regex<AnyRegexOutput>
      do {
        regex = try Regex(pattern.expression)
      } catch {
        throw .badPattern(pattern: text, reason: "\(error)")
      }
      let functions = try ProbeSiteResolver.functions(in: file)
      var matched = 0
      for site in functions where site.name.contains(regex) {
        matched += 1
        if seen.insert("\(site.path)@\(site.fileOffset)").inserted { sites.append(site) }
      }
      if matched == 0 {
        throw .noMatch(
          pattern: text, file: file,
          suggestions: NameSuggestions.closest(to: pattern.expression, in: functions.map(\.name)))
      }
    }
    if sites.count > limit { throw .tooManyMatches(count: sites.count, limit: limit) }
    return ProbeSiteResolver.placed(sites)
  }

  /// `sites` with their probes placed at the cheapest safe instruction (see `ProbePlacement`);
  /// a file that cannot be read again keeps its probes at the entries.
  public static func placed(_ sites: [ProbeSite]) -> [ProbeSite] {
    var result = sites
    for path in Set(sites.map(\.path)) {
      guard let object = try? ObjectFileCache.shared.open(path) else { continue }
      defer { withExtendedLifetime(object) {} }  // `bytes` is its mapping
      let bytes = object.bytes
      for i in result.indices where result[i].path == path {
        let site = result[i]
        guard site.fileOffset < UInt64(bytes.count) else { continue }
        let code = UnsafeRawBufferPointer(rebasing: bytes[Int(site.fileOffset)...])
        if site.isGo {
          result[i] = GoFunctionList.placed(site, code: code)
          continue
        }
        // Go's entry-only probes need no return address; others share the site with a return probe.
        result[i].placement = ProbePlacement.place(
          code: code, start: site.address, size: site.size, keepsReturnAddress: !site.isGo)
      }
    }
    return result
  }

  /// Every function symbol of the ELF file at `path` with its probe site, by address: one site
  /// per name, aliases included (`free` beside `cfree`). The symbols come from the same sources
  /// the symbolizer reads (`BinaryImage`): the file's `.symtab` and `.dynsym`, its separate
  /// debug file (build id or `.gnu_debuglink`) and MiniDebugInfo, so what a profile names can
  /// be traced by that name.
  public static func functions(in path: String, debugRoots: [String] = ["/usr/lib/debug"]) throws(ProbeResolveError)
    -> [ProbeSite]
  {
    do {
      let image = try BinaryImage(path: path, debugRoots: debugRoots)
      let elf = image.elf
      let isGo = GoBinaryDetector.isGo(elf)
      let table = image.symbols
      var result: [ProbeSite] = []
      result.reserveCapacity(table.count)
      for (i, entry) in table.entries.enumerated() {
        guard let offset = fileOffset(of: entry.start, in: elf) else { continue }
        for raw in table.names(of: i) where !raw.isEmpty {
          result.append(
            ProbeSite(
              path: path, fileOffset: offset, address: entry.start, size: entry.end &- entry.start,
              name: Demangler.demangle(raw), rawName: raw, isGo: isGo))
        }
      }
      return isGo && elf.section(named: ".symtab") == nil ? GoFunctionList.sites(in: elf, path: path) : result
    } catch {
      throw .unreadable(error)
    }
  }

  /// The file offset of link-time address `address`: through the executable PT_LOAD
  /// segment whose file bytes contain it (uprobes take offsets, not addresses).
  public static func fileOffset(of address: UInt64, in elf: ELFFile) -> UInt64? {
    for s in elf.segments where s.type == 1 && s.flags & 1 != 0 {  // PT_LOAD, PF_X
      if address >= s.virtualAddress, address - s.virtualAddress < s.fileSize {
        return address - s.virtualAddress + s.offset
      }
    }
    return nil
  }

  static func absolutePath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
