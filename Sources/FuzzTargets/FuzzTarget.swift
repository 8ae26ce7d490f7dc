/// The parsers and languages perfsh reads, each as one fuzz entry point: bytes in, an
/// outcome out. The libFuzzer driver (`perfsh-fuzz`), the regression replay tests and
/// `scripts/fuzz` all go through `run(_:)`, so a crash input reproduces the same way in each.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// Uncompressed pprof protobuf, decoded directly.
  case pprof
  /// Any loadable profile file, sniffed: gzipped pprof or folded stacks.
  case pprofGzip = "pprof-gzip"
  /// Folded stacks (`a;b;c 12`).
  case folded
  /// JIT perf maps (`/tmp/perf-PID.map`).
  case perfMap = "perf-map"
  /// A whole ELF file: headers, sections, symbols, notes, CFI lookups, Go pclntab.
  case elf
  /// `.eh_frame` / `.debug_frame` / `.eh_frame_hdr` bytes wrapped in a minimal ELF.
  case cfi
  /// A whole ELF file read by libdw (line tables, inline frames) through `DWARFSession`.
  case dwarf
  /// `/proc/kallsyms` text.
  case kallsyms
  /// `~/.config/perfsh/config` text, resolved into settings.
  case config
  /// One shell input line through the tokenizer.
  case tokenizer
  /// One `assert` expression through the assert parser.
  case assert
  /// Perf ring records: a 17-byte format header, then records, parsed and converted.
  case perfRecord = "perf-record"
  /// Trace ring records (uprobe hits, switches, LOST): byte 0 a cutoff, then records.
  case traceRecord = "trace-record"
  /// A profile file (any loadable format) through top, tree, peek and heatmap, rendered.
  case reports
  /// A perfsh session file (`save` / `open`): decoded, validated, written and read again.
  case session
  /// An HTTP/1.x response (`load http://…`): status line, headers, chunked or sized body.
  case httpResponse = "http-response"
  /// One Go function's machine code through Go probe placement (stack check, RETs, exits).
  case goCode = "go-code"
  /// Chrome trace-event JSON: loaded, validated, exported as Chrome JSON and loaded again.
  case chromeJSON = "chrome-json"
  /// An HTTP request target for `serve` (path, token, query) through the router and views.
  case webRequest = "web-request"
  /// A tracefs tracepoint `format` file (field offsets for the BPF off-CPU programs).
  case tracepointFormat = "tracepoint-format"
  /// A kernel BTF blob (`/sys/kernel/btf/vmlinux`): task_struct's pid offset found in it.
  case btf

  /// Runs the target on one input. Never throws: a rejected input is a valid outcome; a
  /// crash, a sanitizer report or a broken invariant (a `precondition`) is a finding.
  public func run(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    switch self {
    case .pprof: return FormatsFuzzing.pprof(bytes)
    case .pprofGzip: return FormatsFuzzing.loader(bytes)
    case .folded: return FormatsFuzzing.folded(bytes)
    case .perfMap: return TextFuzzing.perfMap(bytes)
    case .elf: return ObjectFuzzing.elf(bytes)
    case .cfi: return ObjectFuzzing.cfi(bytes)
    case .dwarf: return ObjectFuzzing.dwarf(bytes)
    case .kallsyms: return TextFuzzing.kallsyms(bytes)
    case .config: return ShellFuzzing.config(bytes)
    case .tokenizer: return ShellFuzzing.tokenizer(bytes)
    case .assert: return ShellFuzzing.assert(bytes)
    case .perfRecord: return CaptureFuzzing.perfRecord(bytes)
    case .traceRecord: return CaptureFuzzing.traceRecord(bytes)
    case .reports: return ReportFuzzing.reports(bytes)
    case .session: return FormatsFuzzing.session(bytes)
    case .httpResponse: return NetworkFuzzing.httpResponse(bytes)
    case .goCode: return ObjectFuzzing.goCode(bytes)
    case .chromeJSON: return FormatsFuzzing.chromeJSON(bytes)
    case .webRequest: return WebFuzzing.request(bytes)
    case .tracepointFormat: return CaptureFuzzing.tracepointFormat(bytes)
    case .btf: return CaptureFuzzing.btf(bytes)
    }
  }

  /// Convenience for tests: runs the target on an array.
  public func run(_ bytes: [UInt8]) -> FuzzOutcome {
    bytes.withUnsafeBytes { run($0) }
  }
}

/// What a target did with an input.
public enum FuzzOutcome: Equatable, Sendable {
  /// Parsed into a value that passed the target's checks; `items` counts what it produced
  /// (samples, symbols, tokens…), so tests can check work stays proportional to input.
  case accepted(items: Int)
  /// Refused with an error message (never empty).
  case rejected(String)
}

/// Checks an invariant of a parsed value; a failure is a finding, in every build mode.
@inline(__always)
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
  if !condition() { fatalError("fuzz invariant: \(message())") }
}

/// Input bytes as text, the way perfsh reads text files (invalid UTF-8 repaired).
func text(_ bytes: UnsafeRawBufferPointer) -> String {
  String(decoding: bytes, as: UTF8.self)
}
