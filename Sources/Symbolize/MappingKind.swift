/// What a mapping's file name says about how to symbolize it.
enum MappingKind: Equatable {
  case kernel
  case vdso
  case perfMap
  case anonymous
  case file(String)

  init(_ filename: String) {
    if filename.hasPrefix("[kernel.kallsyms]") || filename == "[kernel]" {
      self = .kernel
    } else if filename == "[vdso]" {
      self = .vdso
    } else if filename.hasPrefix("/tmp/perf-"), filename.hasSuffix(".map"),
      filename.dropFirst(10).dropLast(4).allSatisfy(\.isNumber), filename.count > 14
    {
      self = .perfMap
    } else if filename.isEmpty || filename.hasPrefix("[") || filename.hasPrefix("//anon") {
      self = .anonymous
    } else if filename.hasSuffix(" (deleted)") {
      self = .file(String(filename.dropLast(10)))
    } else {
      self = .file(filename)
    }
  }
}
