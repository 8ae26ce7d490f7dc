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
