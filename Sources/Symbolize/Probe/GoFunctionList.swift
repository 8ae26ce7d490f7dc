/// Go probe sites from the Go runtime's own tables: the functions of `.gopclntab` when
/// the binary has no `.symtab` (`-ldflags='-s -w'`, GNU strip), and the Go placement of
/// each site's probes.
public enum GoFunctionList {
  /// Every function of the `.gopclntab` of `elf` (the file at `path`) as a probe site, by
  /// address; empty when the table is missing or of an unknown layout.
  public static func sites(in elf: ELFFile, path: String) -> [ProbeSite] {
    guard let section = elf.section(named: ".gopclntab"), let data = elf.data(of: section),
      let table = GoPCLNTab(section: data, textAddress: elf.section(named: ".text")?.address ?? 0)
    else { return [] }
    var result: [ProbeSite] = []
    result.reserveCapacity(table.functionCount)
    for i in 0..<table.functionCount {
      guard let f = table.function(at: i), let offset = ProbeSiteResolver.fileOffset(of: f.start, in: elf) else {
        continue
      }
      result.append(
        ProbeSite(
          path: path, fileOffset: offset, address: f.start, size: f.end - f.start, name: f.name, rawName: f.name,
          isGo: true))
    }
    return result
  }

  /// `site` (a Go function whose code starts at `code`) with its Go probes placed; kept
  /// with an entry-only probe when its code cannot be decoded.
  public static func placed(_ site: ProbeSite, code: UnsafeRawBufferPointer) -> ProbeSite {
    var result = site
    guard let go = GoProbePlacement.place(code: code, start: site.address, size: site.size) else {
      result.placement = ProbePlacement(
        offset: 0, instruction: "", kind: .unknown, reason: "Go code not decodable: entry probe only, no durations")
      return result
    }
    result.go = go
    result.placement = ProbePlacement(
      offset: go.entryOffset, instruction: go.entryInstruction, kind: go.entryKind, reason: go.reason)
    return result
  }
}
