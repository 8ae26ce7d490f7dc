import Formats
import PerfshTestSupport
import ProfileModel
import Web

/// Known sessions for the endpoint tests: the pprof-style cpu fixture, a traced one and two
/// self-time profiles for compare.
enum WebFixtures {
  static let token = "0123456789abcdef0123456789abcdef"

  static func session(_ id: Int, _ name: String, _ profile: Profile, source: String = "fixture") -> WebSession {
    let samples =
      profile.sampleTypes.firstIndex { $0.type == "samples" }.map { profile.total(column: $0) }
      ?? Int64(profile.samples.count)
    return WebSession(
      id: id, name: name, source: source, origin: .file(path: source, format: "pprof"), profile: profile,
      summaryLines: ["=== perfsh Performance Summary ===", "Samples: \(samples)"], samples: samples)
  }

  static var sessions: [WebSession] {
    [
      session(1, "cpu", ProfileFixtures.cpu(), source: "cpu.pb.gz"),
      session(2, "traced", ProfileFixtures.traced(), source: "./parser big.yaml"),
      session(3, "before", ProfileFixtures.selfTimes(["parse": 400, "scan": 100, "emit": 50])),
      session(4, "after", ProfileFixtures.selfTimes(["parse": 200, "scan": 100, "emit": 80, "cache": 30])),
    ]
  }

  static func router(_ sessions: [WebSession] = sessions) -> (WebRouter, WebSessionBox) {
    let box = WebSessionBox(sessions)
    return (WebRouter(token: token, source: box, sourceLines: { ProfileFixtures.cpuSource($0) }), box)
  }
}
