import Fetch

/// HTTP responses as `load http://…` reads them (status line, headers, length / chunked /
/// until-close bodies), through the same incremental parser the client uses.
enum NetworkFuzzing {
  /// Small, so one input cannot exhaust the fuzzer's memory; still larger than any -max_len input.
  static let bodyLimit = 1 << 20

  /// The whole input as one response. Invariants: the same bytes fed in pieces (split points taken
  /// from the input) give the same response or the same error; the body stays within the limit and
  /// never exceeds the input.
  static func httpResponse(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let whole = parse(bytes, pieces: [bytes.count])
    let step = 1 + Int(bytes.first ?? 0) % 13
    var pieces: [Int] = []
    var left = bytes.count
    while left > 0 {
      let n = min(step, left)
      pieces.append(n)
      left -= n
    }
    let split = parse(bytes, pieces: pieces)
    require(whole == split, "a response parses differently in pieces of \(step): \(whole) vs \(split)")
    switch whole {
    case .success(let response):
      require(response.body.count <= bodyLimit, "a body past the limit")
      require(response.body.count <= bytes.count, "a body longer than the input")
      require((100...999).contains(response.status), "status \(response.status) out of range")
      _ = response.firstBodyLine
      return .accepted(items: 1 + response.headers.count)
    case .failure(let error):
      return rejected(error.description)
    }
  }

  private static func parse(_ bytes: UnsafeRawBufferPointer, pieces: [Int]) -> Result<HTTPResponse, FetchError> {
    var parser = HTTPResponseParser(bodyLimit: bodyLimit)
    var offset = 0
    do throws(FetchError) {
      for n in pieces {
        try parser.consume(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n]))
        offset += n
      }
      return .success(try parser.finish())
    } catch {
      return .failure(error)
    }
  }
}
