import Foundation

/// The last answers of the JSON and SVG views, keyed by snapshot generation and request target:
/// a reload, a second tab or a burst of the same request reuses the work until a session changes.
final class WebResponseCache: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [String: WebResponse] = [:]
  private var order: [String] = []
  private let capacity: Int
  /// Bodies bigger than this are not kept (a huge flame graph would crowd out the rest).
  private let largestBody: Int

  init(capacity: Int = 32, largestBody: Int = 8 << 20) {
    self.capacity = capacity
    self.largestBody = largestBody
  }

  func answer(_ key: String, compute: () -> WebResponse) -> WebResponse {
    if let hit = lock.withLock({ entries[key] }) { return hit }
    var response = compute()
    guard response.status == 200, response.body.count <= largestBody else { return response }
    response.isCached = true
    lock.withLock {
      if entries.updateValue(response, forKey: key) == nil { order.append(key) }
      while order.count > capacity { entries[order.removeFirst()] = nil }
    }
    return response
  }
}
