import Glibc

/// Finds the shared library a `LIB:` trace prefix names, the way the dynamic loader would:
/// among the executable's DT_NEEDED entries (and theirs), in its DT_RUNPATH/RPATH, the
/// directories of /etc/ld.so.conf.d and the default system directories.
public struct LibraryLocator: Sendable {
  /// Directories searched, in order.
  public var directories: [String]

  /// A locator for libraries of `executable` (whose run paths come first).
  public init(executable: String) {
    var dirs = LibraryLocator.runPaths(of: executable)
    dirs += LibraryLocator.configuredDirectories()
    dirs += ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    var seen = Set<String>()
    directories = dirs.filter { seen.insert($0).inserted }
  }

  /// The path of the library `name`: a path is taken as is; an exact soname such as
  /// `libc.so.6` or a prefix such as `libc` (matched against the executable's needed
  /// libraries) is looked up in `directories`.
  public func locate(_ name: String, executable: String) throws(ProbeResolveError) -> String {
    if name.contains("/") {
      guard access(name, R_OK) == 0 else { throw .libraryNotFound(name: name, searched: [name]) }
      return name
    }
    // The command's own dependencies first (so `libc` finds libc.so.6, not the libc.so
    // linker script), then the name as given.
    var candidates: [String] = []
    for needed in neededClosure(of: executable) {
      if needed == name || needed.hasPrefix(name + ".") || needed.hasPrefix(name + "-") { candidates.append(needed) }
    }
    candidates.append(name)
    for candidate in candidates {
      for dir in directories {
        let path = dir + "/" + candidate
        if LibraryLocator.isELF(path) { return path }
      }
    }
    throw .libraryNotFound(name: name, searched: directories)
  }

  /// True when `path` is a readable regular file starting with the ELF magic (not a linker
  /// script, and never a FIFO that would block the read).
  static func isELF(_ path: String) -> Bool {
    guard let fd = try? MappedFile.openRegular(path: path).fd else { return false }
    defer { close(fd) }
    var magic: UInt32 = 0
    return read(fd, &magic, 4) == 4 && magic == 0x464c_457f
  }

  /// The paths of `executable`'s loader (PT_INTERP) and of its needed libraries (and theirs),
  /// as the dynamic loader would find them; names that resolve to no ELF file are left out.
  public func loadedPaths(of executable: String) -> [String] {
    var paths: [String] = []
    if let interpreter = LibraryLocator.interpreter(of: executable) { paths.append(interpreter) }
    for name in neededClosure(of: executable) {
      guard let dir = directories.first(where: { LibraryLocator.isELF($0 + "/" + name) }) else { continue }
      paths.append(dir + "/" + name)
    }
    return paths
  }

  /// The `.interp` path of `path` (its program interpreter, e.g. ld-linux-x86-64.so.2), if any.
  static func interpreter(of path: String) -> String? {
    guard let object = try? ObjectFileCache.shared.open(path) else { return nil }
    return withExtendedLifetime(object) { () -> String? in
      let elf = object.elf
      guard let section = elf.section(named: ".interp"), let data = elf.data(of: section),
        let s = data.cString(at: 0), s.hasPrefix("/")
      else { return nil }
      return s
    }
  }

  /// The DT_NEEDED names of `executable` and of the libraries they resolve to, breadth first.
  func neededClosure(of executable: String) -> [String] {
    var result: [String] = []
    var queue = LibraryLocator.dynamicStrings(of: executable, tag: 1)
    var seen = Set<String>()
    while !queue.isEmpty {
      let name = queue.removeFirst()
      guard seen.insert(name).inserted else { continue }
      result.append(name)
      if let dir = directories.first(where: { access($0 + "/" + name, R_OK) == 0 }) {
        queue += LibraryLocator.dynamicStrings(of: dir + "/" + name, tag: 1)
      }
    }
    return result
  }

  /// DT_RUNPATH (29) and DT_RPATH (15) directories of `path`, `$ORIGIN` expanded.
  static func runPaths(of path: String) -> [String] {
    let origin = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return (dynamicStrings(of: path, tag: 29) + dynamicStrings(of: path, tag: 15))
      .flatMap { $0.split(separator: ":").map(String.init) }
      .map { $0.hasPrefix("$ORIGIN") ? origin + $0.dropFirst("$ORIGIN".count) : $0 }
  }

  /// The strings of every `.dynamic` entry with tag `tag` (1 is DT_NEEDED) in the file at `path`.
  static func dynamicStrings(of path: String, tag: UInt64) -> [String] {
    do {
      let object = try ObjectFileCache.shared.open(path)
      defer { withExtendedLifetime(object) {} }  // `elf`'s bytes are its mapping
      let elf = object.elf
      guard let dynamic = elf.section(named: ".dynamic"), let data = elf.data(of: dynamic),
        Int(dynamic.link) < elf.sections.count, let strings = elf.data(of: elf.sections[Int(dynamic.link)])
      else { return [] }
      var result: [String] = []
      var o = 0
      while o + 16 <= data.count {
        guard let t = data.readLE(UInt64.self, at: o), let v = data.readLE(UInt64.self, at: o + 8) else { break }
        if t == 0 { break }
        if t == tag, v < UInt64(strings.count), let s = strings.cString(at: Int(v)) { result.append(s) }
        o += 16
      }
      return result
    } catch {
      return []
    }
  }

  /// Directories listed in /etc/ld.so.conf and the files it includes (one level of globs).
  static func configuredDirectories() -> [String] {
    var dirs: [String] = []
    var files = ["/etc/ld.so.conf"]
    var globbed = glob_t()
    if glob("/etc/ld.so.conf.d/*.conf", 0, nil, &globbed) == 0 {
      for i in 0..<Int(globbed.gl_pathc) {
        if let p = globbed.gl_pathv[i] { files.append(String(cString: p)) }
      }
    }
    globfree(&globbed)
    for file in files {
      guard let text = try? MappedFile.readText(path: file) else { continue }
      for line in text.split(separator: "\n") {
        let t = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = t.trimmingCharacters(in: " \t")
        if trimmed.hasPrefix("/") { dirs.append(trimmed) }
      }
    }
    return dirs
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: String) -> String {
    var s = self
    while let c = s.first, set.contains(c) { s.removeFirst() }
    while let c = s.last, set.contains(c) { s.removeLast() }
    return String(s)
  }
}
