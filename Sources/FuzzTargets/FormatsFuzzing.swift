import Formats
import ProfileModel

/// Profile file formats: pprof (raw and sniffed through gzip) and folded stacks.
enum FormatsFuzzing {
  /// Inputs are small (libFuzzer's -max_len), so a small decompression limit loses nothing
  /// and keeps one input from exhausting the fuzzer's memory.
  static let gzipLimit = 64 << 20

  static func pprof(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    do {
      return check(try PprofDecoder.decodeProto(bytes))
    } catch {
      return rejected(error.description)
    }
  }

  static func loader(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    do {
      return check(try ProfileLoader.load(bytes: Array(bytes), name: "fuzz", limit: gzipLimit))
    } catch {
      return rejected(error.description)
    }
  }

  static func folded(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    do {
      return check(try FoldedStacksReader.read(bytes))
    } catch {
      return rejected(error.description)
    }
  }

  /// A session file: every session it yields is whole, and writing them gives a file that
  /// reads back to the same sessions (names and sample counts).
  static func session(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let sessions: [ArchivedSession]
    do {
      sessions = try SessionArchive.decode(Array(bytes), limit: gzipLimit)
    } catch {
      return rejected(error.description)
    }
    var items = 0
    for s in sessions {
      _ = check(s.profile)
      items += s.profile.samples.count
    }
    do {
      let again = try SessionArchive.decode(SessionArchive.encode(sessions), limit: Int.max)
      require(again.map(\.name) == sessions.map(\.name), "session names change on a second write")
      require(
        again.map(\.profile.samples.count) == sessions.map(\.profile.samples.count),
        "sample counts change on a second write")
    } catch {
      require(false, "a decoded session file does not read back after writing: \(error)")
    }
    return .accepted(items: items)
  }

  /// A Chrome trace: the profile is whole, its per-name calls add up to its samples' calls,
  /// and its kept events export and load again to the same number of calls.
  static func chromeJSON(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let result: ChromeTraceReader.Result
    do {
      result = try ChromeTraceReader.read(bytes, memoryBudget: gzipLimit)
    } catch {
      return rejected(error.description)
    }
    let profile = result.profile
    _ = check(profile)
    let calls = profile.callStatistics.values.reduce(Int64(0)) { $0 + $1.calls }
    require(
      calls == profile.total(column: 0), "per-name calls \(calls) differ from the samples' \(profile.total(column: 0))")
    require(
      profile.callStatistics.values.allSatisfy { $0.selfNanos >= 0 && $0.selfNanos <= $0.totalNanos },
      "self time outside 0...total")
    guard let written = ChromeTraceWriter.write(profile, maxEvents: Int.max, processName: "fuzz", pid: 0) else {
      require(false, "a loaded trace keeps no events to export")
      return .accepted(items: profile.samples.count)
    }
    do {
      let again = try ProfileLoader.load(bytes: Array(written.text.utf8), name: "again", memoryBudget: Int.max)
      let kept = Int64(profile.callEvents?.events.count ?? 0)
      let back = again.callStatistics.values.reduce(Int64(0)) { $0 + $1.calls }
      require(back == kept, "an exported trace loads with \(back) calls, not \(kept)")
    } catch {
      require(false, "an exported trace does not load: \(error)")
    }
    return .accepted(items: profile.samples.count)
  }

  /// A loaded profile must be whole: it validates and encodes again.
  private static func check(_ profile: Profile) -> FuzzOutcome {
    do {
      try profile.validate()
    } catch {
      require(false, "a loaded profile fails validate(): \(error)")
    }
    do {
      _ = try PprofEncoder.encode(profile, compress: false)
    } catch {
      require(false, "a loaded profile does not encode: \(error)")
    }
    return .accepted(items: profile.samples.count)
  }
}

func rejected(_ message: String) -> FuzzOutcome {
  require(!message.isEmpty, "an error without a message")
  return .rejected(message)
}
