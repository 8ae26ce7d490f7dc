import Glibc
import ProfileModel

/// Fills in function names, source lines and inline frames for the address-only locations
/// of a profile (as the sampler records them).
///
/// Keep one `Symbolizer` per shell session: every binary is opened once (keyed by path and
/// build id), lazily, and only when one of its addresses was sampled; later calls reuse it.
/// A missing, unreadable or stripped binary is not an error: its frames are named
/// `file+0xOFFSET` and a note says why.
public final class Symbolizer {
  /// Where to look for debug files and kernel symbols.
  public struct Options: Sendable {
    /// Roots searched for separate debug files (`.build-id/xx/yyyy.debug`, debuglink).
    public var debugRoots: [String] = ["/usr/lib/debug"]
    /// The kernel symbol file.
    public var kallsymsPath: String = "/proc/kallsyms"
    /// Symbolize `[vdso]` frames from this process's vDSO (the same kernel's image).
    public var useOwnVDSO: Bool = true
    /// The defaults: `/usr/lib/debug`, `/proc/kallsyms`, our own vDSO.
    public init() {}
  }

  /// Where this symbolizer looks for debug files and kernel symbols.
  public let options: Options
  /// Everything noteworthy so far (missing binaries, hidden kernel symbols), oldest first.
  public private(set) var notes: [String] = []

  private var images: [String: BinaryImage] = [:]
  private var failures: [String: SymbolizeError] = [:]
  /// The file version each cached image or failure was made from.
  private var identities: [String: FileIdentity] = [:]
  private var checkedThisCall: Set<String> = []
  private var kernel: KernelSymbols?
  private var kernelPrefetch: KernelSymbolsPrefetch?
  private var binaryPrefetch: BinaryPrefetch?
  private var vdso: BinaryImage?
  private var vdsoLoaded = false
  private var perfMaps: [String: PerfMap] = [:]
  private var demangled: [String: String] = [:]
  /// Notes that concern the profile being symbolized (including ones first seen earlier).
  private var callNotes: [String] = []
  private var sourceNotes: [String: String] = [:]

  /// A symbolizer with an empty cache.
  public init(options: Options = Options()) {
    self.options = options
  }

  /// Symbolizes every location of `profile` whose `lines` is empty, and records what was
  /// learnt about each mapping (has-functions/filenames/lines/inlines flags, build id).
  /// Notes that concern this profile are also appended to `profile.run.notes`.
  public func symbolize(_ profile: inout Profile) {
    adoptPrefetchedBinaries()
    callNotes = []
    checkedThisCall = []
    var functions = FunctionInterner(profile)
    var byMapping: [Int: [Int]] = [:]
    var unmapped: [Int] = []
    for i in profile.locations.indices where profile.locations.lineCount(i) == 0 {
      if let m = profile.locations.mapping(i), m.raw >= 0, m.index < profile.mappings.count {
        byMapping[m.index, default: []].append(i)
      } else {
        unmapped.append(i)
      }
    }
    for mappingIndex in byMapping.keys.sorted() {
      guard var group = byMapping[mappingIndex] else { continue }
      group.sort { profile.locations.address($0) < profile.locations.address($1) }
      symbolize(locations: group, mapping: mappingIndex, profile: &profile, functions: &functions)
    }
    for i in unmapped {
      let address = profile.locations.address(i)
      if Symbolizer.isKernelAddress(address) {
        let line = kernelLine(address, profile: &profile, functions: &functions).line
        profile.locations.setLines(i, [line])
      } else {
        let f = functions.function(name: "[unknown]", systemName: "[unknown]", file: "", startLine: 0, in: &profile)
        profile.locations.setLines(i, [Line(function: f)])
      }
    }
    for note in callNotes where !profile.run.notes.contains(note) { profile.run.notes.append(note) }
  }

  /// True for x86-64 kernel-half addresses.
  static func isKernelAddress(_ address: UInt64) -> Bool { address >= 0xffff_8000_0000_0000 }

  private func note(_ text: String) {
    if !notes.contains(text) { notes.append(text) }
    if !callNotes.contains(text) { callNotes.append(text) }
  }

  // MARK: Per mapping

  private func symbolize(
    locations: [Int], mapping index: Int, profile: inout Profile, functions: inout FunctionInterner
  ) {
    let mapping = profile.mappings[index]
    let filename = profile.strings[mapping.filename]
    switch MappingKind(filename) {
    case .kernel:
      var named = false
      for i in locations {
        let r = kernelLine(profile.locations.address(i), profile: &profile, functions: &functions)
        profile.locations.setLines(i, [r.line])
        named = named || r.named
      }
      if named { profile.mappings[index].hasFunctions = true }
    case .perfMap:
      let map = perfMap(at: filename)
      var named = false
      for i in locations {
        let address = profile.locations.address(i)
        let name = map.entry(containing: address)?.name
        named = named || name != nil
        let raw = name ?? "[unknown]"
        let f = functions.function(name: readable(raw), systemName: raw, file: "", startLine: 0, in: &profile)
        profile.locations.setLines(i, [Line(function: f)])
      }
      if named { profile.mappings[index].hasFunctions = true }
    case .anonymous:
      // Kernel modules may come as `[module]` mappings: their addresses are kernel addresses.
      let f = functions.function(name: "[unknown]", systemName: "[unknown]", file: "", startLine: 0, in: &profile)
      for i in locations {
        let address = profile.locations.address(i)
        let lines =
          Symbolizer.isKernelAddress(address)
          ? [kernelLine(address, profile: &profile, functions: &functions).line] : [Line(function: f)]
        profile.locations.setLines(i, lines)
      }
    case .vdso:
      symbolizeImage(
        vdsoImage(), label: "[vdso]", locations: locations, mapping: index, profile: &profile, functions: &functions)
    case .file(let path):
      let expected = profile.strings[mapping.buildID]
      let image = binaryImage(path: path, expectedBuildID: expected)
      symbolizeImage(
        image, label: baseName(path), locations: locations, mapping: index, profile: &profile, functions: &functions)
    }
  }

  private func symbolizeImage(
    _ image: BinaryImage?, label: String, locations: [Int], mapping index: Int, profile: inout Profile,
    functions: inout FunctionInterner
  ) {
    let mapping = profile.mappings[index]
    var hasFunctions = false
    var hasFiles = false
    var hasLines = false
    var grouped = false
    for i in locations {
      let fileOffset = profile.locations.address(i) &- mapping.start &+ mapping.fileOffset
      var fallback = "\(label)+0x\(String(fileOffset, radix: 16))"
      var lines: [Line] = []
      if let image {
        let linkAddress = image.linkAddress(forFileOffset: fileOffset)
        let frames = image.frames(at: linkAddress)
        if frames.isEmpty || frames.last?.rawName == nil, let start = image.functionStartOffset(containing: linkAddress)
        {
          // No symbol: one row per function the CFI describes, not one per address.
          fallback = "\(label)+0x\(String(start, radix: 16)) (no symbol)"
          grouped = true
        }
        lines.reserveCapacity(frames.count)
        for frame in frames {
          let raw = frame.rawName ?? fallback
          hasFunctions = hasFunctions || frame.rawName != nil
          hasFiles = hasFiles || !frame.file.isEmpty
          hasLines = hasLines || frame.line > 0
          let f = functions.function(
            name: readable(raw), systemName: raw, file: frame.file, startLine: frame.declarationLine, in: &profile)
          lines.append(Line(function: f, line: frame.line, column: frame.column))
        }
      }
      if lines.isEmpty {
        let f = functions.function(name: fallback, systemName: fallback, file: "", startLine: 0, in: &profile)
        lines = [Line(function: f)]
      }
      profile.locations.setLines(i, lines)
    }
    guard let image else { return }
    if grouped {
      note(
        "\(label) has no symbols for some functions (stripped): they are named by their start, "
          + "\(label)+0xOFFSET (no symbol), from its .eh_frame; install its debug symbols for names")
    }
    profile.mappings[index].hasFunctions = profile.mappings[index].hasFunctions || hasFunctions
    profile.mappings[index].hasFilenames = profile.mappings[index].hasFilenames || hasFiles
    profile.mappings[index].hasLineNumbers = profile.mappings[index].hasLineNumbers || hasLines
    profile.mappings[index].hasInlineFrames = profile.mappings[index].hasInlineFrames || image.hasDWARF
    if mapping.buildID == .empty, !image.buildID.isEmpty {
      profile.mappings[index].buildID = profile.strings.intern(image.buildID)
    }
  }

  // MARK: Sources, each loaded once

  private func binaryImage(path: String, expectedBuildID: String) -> BinaryImage? {
    let key = path + "\u{0}" + expectedBuildID
    // Once per call, check the file is still the version that was loaded (a rebuilt binary
    // at the same path must not keep its old symbols; a missing one may have appeared).
    if !checkedThisCall.contains(key) {
      checkedThisCall.insert(key)
      if let loaded = identities[key], loaded != FileIdentity.of(path: path) {
        images[key] = nil
        failures[key] = nil
        identities[key] = nil
      }
    }
    if let image = images[key] { return image }
    if let failure = failures[key] {
      note(Symbolizer.missingNote(path, failure))
      return nil
    }
    identities[key] = FileIdentity.of(path: path)
    do throws(SymbolizeError) {
      let image = try BinaryImage(path: path, debugRoots: options.debugRoots)
      if !expectedBuildID.isEmpty, !image.buildID.isEmpty, image.buildID != expectedBuildID {
        throw .buildIDMismatch(path: path, expected: expectedBuildID, found: image.buildID)
      }
      images[key] = image
      return image
    } catch {
      failures[key] = error
      note(Symbolizer.missingNote(path, error))
      return nil
    }
  }

  private static func missingNote(_ path: String, _ error: SymbolizeError) -> String {
    "no symbols for \(path): \(error.description)"
  }

  /// Records `text` once globally and for the current profile, and remembers it under
  /// `source` so later profiles that use the same source are told too.
  private func note(_ text: String, source: String) {
    sourceNotes[source] = text
    note(text)
  }

  /// Repeats the note recorded for `source`, if any, for the current profile.
  private func renote(_ source: String) {
    if let text = sourceNotes[source] { note(text) }
  }

  private func vdsoImage() -> BinaryImage? {
    if vdsoLoaded {
      renote("[vdso]")
      return vdso
    }
    vdsoLoaded = true
    guard options.useOwnVDSO, let memory = VDSOImage.memory() else {
      note("no symbols for [vdso]: this process has no vDSO image", source: "[vdso]")
      return nil
    }
    do throws(SymbolizeError) {
      vdso = try BinaryImage(memory: memory, name: "[vdso]")
    } catch {
      note("no symbols for [vdso]: \(error.description)", source: "[vdso]")
    }
    return vdso
  }

  /// Starts opening `executable` and the libraries it needs in the background (call it
  /// before the target runs); `symbolize` waits for and adopts what was opened.
  public func prefetchBinaries(forExecutable executable: String) {
    guard binaryPrefetch == nil else { return }
    let open = Set(
      images.keys.compactMap { $0.split(separator: "\u{0}", omittingEmptySubsequences: false).first.map(String.init) })
    binaryPrefetch = BinaryPrefetch(executable: executable, debugRoots: options.debugRoots) { open.contains($0) }
  }

  /// Takes over the images a prefetch opened, under the keys `binaryImage` looks up.
  private func adoptPrefetchedBinaries() {
    guard let prefetch = binaryPrefetch else { return }
    binaryPrefetch = nil
    for (path, image) in prefetch.wait() {
      for key in [path + "\u{0}" + image.buildID, path + "\u{0}"] where images[key] == nil {
        images[key] = image
        identities[key] = FileIdentity.of(path: path)
      }
    }
  }

  /// Starts reading kernel symbols in the background (call it before a target runs), so
  /// symbolizing after the run does not wait for `/proc/kallsyms`. Does nothing once loaded.
  public func prefetchKernelSymbols() {
    guard kernel == nil, kernelPrefetch == nil else { return }
    kernelPrefetch = KernelSymbolsPrefetch(path: options.kallsymsPath)
  }

  private func kernelSymbols() -> KernelSymbols {
    if let kernel {
      renote("[kernel]")
      return kernel
    }
    var table = KernelSymbols(parsing: "")
    do throws(SymbolizeError) {
      if let prefetch = kernelPrefetch {
        table = try prefetch.wait().get()
      } else {
        table = KernelSymbols(parsing: try MappedFile.readText(path: options.kallsymsPath))
      }
      if table.symbols.isEmpty {
        note(
          "kernel frames are not named: \(options.kallsymsPath) hides addresses (kernel.kptr_restrict; run as root)",
          source: "[kernel]")
      }
    } catch {
      note("kernel frames are not named: \(error.description)", source: "[kernel]")
    }
    kernel = table
    return table
  }

  private func kernelLine(
    _ address: UInt64, profile: inout Profile, functions: inout FunctionInterner
  ) -> (line: Line, named: Bool) {
    let symbol = kernelSymbols().symbol(containing: address)
    let name = symbol?.name ?? "[kernel.kallsyms]"
    let f = functions.function(name: name, systemName: name, file: "", startLine: 0, in: &profile)
    return (Line(function: f), symbol != nil)
  }

  private func perfMap(at path: String) -> PerfMap {
    if let map = perfMaps[path] {
      renote(path)
      return map
    }
    var map = PerfMap(parsing: "")
    do throws(SymbolizeError) {
      // As perf does: a map not owned by perfsh's user (who started the target) or root is
      // ignored, so another user cannot name the target's JIT frames.
      map = PerfMap(parsing: try MappedFile.readText(path: path, ownedBy: geteuid()))
    } catch {
      note("no JIT symbols: \(error.description)", source: path)
    }
    perfMaps[path] = map
    return map
  }

  private func readable(_ raw: String) -> String {
    if let hit = demangled[raw] { return hit }
    let name = Demangler.demangle(raw)
    demangled[raw] = name
    return name
  }
}
