import Foundation

/// A tiny HTTP server for tests that misbehaves on purpose: it listens on 127.0.0.1 (a port of
/// its own), reads each request head, then plays that connection's script — bytes to send,
/// pauses, a close — so a client meets refused ports, slow or truncated replies, chunking,
/// redirects and bodies that are not profiles exactly when the test wants.
public final class ScriptedHTTPServer: @unchecked Sendable {
  /// One step of a connection's reply.
  public enum Step: Sendable {
    /// Send these bytes.
    case send([UInt8])
    /// Send this text (UTF-8).
    case text(String)
    /// Wait this many milliseconds.
    case pause(Int)
  }

  /// The port it listens on.
  public let port: Int
  private let listener: Int32
  private let scripts: [[Step]]
  private let lock = NSLock()
  private var heads: [String] = []
  private let done = DispatchSemaphore(value: 0)

  /// Starts a server that answers its Nth connection with `scripts[N]` (then closes it);
  /// connections past the last script get the last one.
  public init(_ scripts: [[Step]]) throws {
    self.scripts = scripts
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0, listen(fd, 8) == 0 else {
      close(fd)
      throw GoToolchain.Failure(command: ["bind"], status: errno, stderr: "cannot listen on 127.0.0.1")
    }
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    listener = fd
    port = Int(UInt16(bigEndian: addr.sin_port))
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  /// A one-connection server that sends `response` and closes.
  public convenience init(response: String) throws {
    try self.init([[.text(response)]])
  }

  /// `http://127.0.0.1:PORT` + `path`.
  public func url(_ path: String = "/debug/pprof/heap") -> String { "http://127.0.0.1:\(port)\(path)" }

  /// The request heads received so far.
  public var requests: [String] {
    lock.lock()
    defer { lock.unlock() }
    return heads
  }

  /// Stops accepting and waits for the serving thread to end.
  public func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
    done.wait()
    close(listener)
  }

  private func serve() {
    var index = 0
    while true {
      let conn = accept(listener, nil, nil)
      if conn < 0 {
        if errno == EINTR { continue }
        break
      }
      var head = [UInt8]()
      var byte: UInt8 = 0
      while !head.ends(with: Array("\r\n\r\n".utf8)) && head.count < 65536 && recv(conn, &byte, 1, 0) == 1 {
        head.append(byte)
      }
      lock.lock()
      heads.append(String(decoding: head, as: UTF8.self))
      lock.unlock()
      for step in scripts[min(index, scripts.count - 1)] {
        switch step {
        case .send(let bytes): sendAll(conn, bytes)
        case .text(let text): sendAll(conn, Array(text.utf8))
        case .pause(let ms): usleep(UInt32(ms) * 1000)
        }
      }
      close(conn)
      index += 1
    }
    done.signal()
  }

  private func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { return }
      offset += n
    }
  }
}

extension Array where Element == UInt8 {
  fileprivate func ends(with suffix: [UInt8]) -> Bool {
    count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
  }
}
