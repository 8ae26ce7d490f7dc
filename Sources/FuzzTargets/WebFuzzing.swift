import ProfileModel
import Web

/// A request target (`/TOKEN/api/session/1/top?focus=…`) as a browser or anyone on the
/// machine could send it: path splitting, query decoding, the token check and every view.
enum WebFuzzing {
  static let token = "00112233445566778899aabbccddeeff"

  /// Two small sessions with a call chain, so the views have something to walk.
  static let router: WebRouter = {
    var b = ProfileBuilder(sampleTypes: [
      ValueType(type: "samples", unit: "count"), ValueType(type: "cpu", unit: "nanoseconds"),
    ])
    b.addSample(rootFirstNames: ["main", "parse", "scan"], values: [3, 30_000_000])
    b.addSample(rootFirstNames: ["main", "emit"], values: [1, 10_000_000])
    let p = b.build()
    let sessions = [1, 2].map {
      WebSession(
        id: $0, name: "s\($0)", source: "fuzz", origin: .file(path: "fuzz", format: "folded"), profile: p, samples: 4)
    }
    return WebRouter(token: token, source: WebSessionBox(sessions))
  }()

  static func request(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
    let target = text(bytes)
    // Inputs that do not start with the token still exercise the check; most seeds carry it.
    let answer = router.respond(to: target)
    require([200, 400, 403, 404, 500].contains(answer.status), "status \(answer.status) for \(target)")
    require(answer.status != 200 || target.hasPrefix("/\(token)"), "answered 200 without the token: \(target)")
    if answer.status >= 400 {
      require(answer.contentType.hasPrefix("application/json"), "an error that is not JSON")
      return .rejected(String(decoding: answer.body, as: UTF8.self))
    }
    return .accepted(items: max(1, answer.body.count))
  }
}
