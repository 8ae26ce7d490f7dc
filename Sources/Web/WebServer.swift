import Foundation
import Hummingbird
import Logging

/// The running HTTP server of `serve`: Hummingbird on its own event loops and a task of its
/// own, so the shell's prompt stays usable. Requests are answered by a `WebRouter`.
public final class WebServer: Sendable {
  /// The address bound and the port (the real one when 0 was asked for).
  public let host: String
  public let port: Int
  public let token: String
  private let task: Task<Void, Never>
  private let finished: DispatchSemaphore

  /// `http://HOST:PORT/TOKEN/`: the URL to open.
  public var url: String {
    let shown = host.contains(":") ? "[\(host)]" : host
    return "http://\(shown):\(port)/\(token)/"
  }

  private init(host: String, port: Int, token: String, task: Task<Void, Never>, finished: DispatchSemaphore) {
    self.host = host
    self.port = port
    self.token = token
    self.task = task
    self.finished = finished
  }

  /// Binds `host:port` and starts answering; returns once the socket listens (or throws why not).
  public static func start(router: WebRouter, host: String, port: Int) throws(WebError) -> WebServer {
    HeapTrim.keepThreadsInTheMainHeap()
    let state = StartState()
    let started = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    var logger = Logger(label: "perfsh.serve")
    logger.logLevel = .critical
    let buffers = SharedBodies()
    let responder = CallbackResponder<BasicRequestContext> { request, _ in
      let answer = router.respond(to: request.head.path ?? "/")
      var headers: HTTPFields = [.contentType: answer.contentType, .cacheControl: "no-store"]
      headers[.contentSecurityPolicy] = "default-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"
      if let nosniff = HTTPFields.Element.Name("X-Content-Type-Options") { headers[nosniff] = "nosniff" }
      if let file = answer.attachment { headers[.contentDisposition] = "attachment; filename=\"\(file)\"" }
      return Response(
        status: HTTPResponse.Status(code: answer.status), headers: headers,
        body: ResponseBody(
          byteBuffer: answer.isCached ? buffers.buffer(for: answer.body) : ByteBuffer(bytes: answer.body)))
    }
    let app = Application(
      responder: responder,
      configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
      onServerRunning: { channel in
        state.set(port: channel.localAddress?.port ?? port)
        started.signal()
      },
      logger: logger)
    let task = Task.detached {
      do {
        try await app.runService(gracefulShutdownSignals: [])
      } catch {
        state.set(error: "\(error)")
      }
      started.signal()
      finished.signal()
    }
    started.wait()
    if let port = state.port {
      return WebServer(host: host, port: port, token: router.token, task: task, finished: finished)
    }
    throw WebError(status: 500, "cannot listen on \(host):\(port): \(state.error ?? "the server stopped")")
  }

  /// Stops accepting, closes connections and waits for the server task to end.
  public func stop() {
    task.cancel()
    _ = finished.wait(timeout: .now() + 10)
  }

  /// Blocks until the server ends (the one-shot `perfsh serve FILE…` runs until interrupted).
  public func wait() { finished.wait() }
}

/// What the server task reports back to the thread that started it.
private final class StartState: @unchecked Sendable {
  private let lock = NSLock()
  private var _port: Int?
  private var _error: String?
  var port: Int? { lock.withLock { _port } }
  var error: String? { lock.withLock { _error } }
  func set(port: Int) { lock.withLock { _port = port } }
  func set(error: String) { lock.withLock { _error = error } }
}

/// One `ByteBuffer` per cached answer body (`WebResponse.isCached`), shared by every response
/// that sends it: a burst of 1,000 requests for one 77 KB answer otherwise holds 1,000 copies
/// (77 MB) at once, and glibc keeps much of that after the burst (scripts/bench-serve).
private final class SharedBodies: @unchecked Sendable {
  private let lock = NSLock()
  /// Keyed by the body's storage address; the body is kept too, so the address stays its own.
  private var entries: [UInt: (body: [UInt8], buffer: ByteBuffer)] = [:]
  private var order: [UInt] = []
  /// Smaller bodies are copied (cheaper than the lookup's bookkeeping is worth).
  private let smallest = 4096
  /// The answer cache keeps 32; a few more cover answers replaced while being sent.
  private let capacity = 48

  func buffer(for body: [UInt8]) -> ByteBuffer {
    guard body.count >= smallest,
      let key = body.withUnsafeBufferPointer({ $0.baseAddress.map { UInt(bitPattern: $0) } })
    else { return ByteBuffer(bytes: body) }
    if let hit = lock.withLock({ entries[key] }), hit.body.count == body.count { return hit.buffer }
    let buffer = ByteBuffer(bytes: body)
    lock.withLock {
      if entries.updateValue((body, buffer), forKey: key) == nil { order.append(key) }
      while order.count > capacity { entries[order.removeFirst()] = nil }
    }
    return buffer
  }
}
