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
