import Syscalls

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A connected TCP socket (the one file that makes socket calls): connect with a timeout over
/// every address getaddrinfo gives, send all bytes, receive with a timeout. Closed on deinit.
public struct TCPConnection: ~Copyable {
  private let descriptor: Int32

  /// What one wait for incoming bytes gave.
  public enum Received: Equatable, Sendable {
    /// `count` bytes were stored at the front of the buffer.
    case bytes(Int)
    /// The peer closed its side.
    case end
    /// Nothing arrived within the wait.
    case timedOut
  }

  /// Connects to `host:port`, trying each resolved address for up to `timeoutMillis` each.
  public init(host: String, port: Int, timeoutMillis: Int32) throws(FetchError) {
    let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(host, String(port), &hints, &list)
    guard rc == 0, let first = list else {
      let detail = gai_strerror(rc).map { String(cString: $0) } ?? "error \(rc)"
      throw .resolve(host: host, detail: detail.prefix(1).lowercased() + detail.dropFirst())
    }
    defer { freeaddrinfo(first) }
    var lastError = FetchError.connect(address: address, errno: Errno(rawValue: ECONNREFUSED))
    var entry: UnsafeMutablePointer<addrinfo>? = first
    while let info = entry {
      entry = info.pointee.ai_next
      let fd = socket(
        info.pointee.ai_family,
        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
      guard fd >= 0 else {
        lastError = .io(operation: "socket", errno: Syscall.lastError)
        continue
      }
      if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
        descriptor = fd
        return
      }
      var code = Syscall.lastError
      if code.rawValue == EINPROGRESS {
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = Self.pollRetrying(&pfd, timeoutMillis: timeoutMillis)
        if ready == 0 {
          close(fd)
          lastError = .connectTimeout(address: address, seconds: Int(timeoutMillis / 1000))
          continue
        }
        var soError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
        if ready > 0 && soError == 0 {
          descriptor = fd
          return
        }
        code = soError != 0 ? Errno(rawValue: soError) : Syscall.lastError
      }
      close(fd)
      lastError = .connect(address: address, errno: code)
    }
    throw lastError
  }

  deinit { close(descriptor) }

  /// Sends every byte of `bytes` (no SIGPIPE: a closed peer is an error), waiting up to
  /// `timeoutMillis` whenever the socket's buffer is full.
  public func send(_ bytes: [UInt8], timeoutMillis: Int32) throws(FetchError) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return Glibc.send(descriptor, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
      }
      if n >= 0 {
        offset += n
        continue
      }
      let code = Syscall.lastError
      if code.rawValue == EINTR { continue }
      guard code.rawValue == EAGAIN || code.rawValue == EWOULDBLOCK else { throw .io(operation: "send", errno: code) }
      var pfd = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
      if Self.pollRetrying(&pfd, timeoutMillis: timeoutMillis) == 0 {
        throw .readTimeout(millis: Int(timeoutMillis), received: 0)
      }
    }
  }

  /// Waits up to `timeoutMillis` for bytes and stores what arrived at the front of `buffer`.
  public func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMillis: Int32) throws(FetchError) -> Received {
    while true {
      let n = recv(descriptor, buffer.baseAddress, buffer.count, 0)
      if n > 0 { return .bytes(n) }
      if n == 0 { return .end }
      let code = Syscall.lastError
      if code.rawValue == EINTR { continue }
      guard code.rawValue == EAGAIN || code.rawValue == EWOULDBLOCK else {
        throw .io(operation: "receive", errno: code)
      }
      var pfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      if Self.pollRetrying(&pfd, timeoutMillis: timeoutMillis) == 0 { return .timedOut }
    }
  }

  /// poll(2) on one descriptor, restarted after EINTR with the time left; 0 on timeout.
  private static func pollRetrying(_ pfd: inout pollfd, timeoutMillis: Int32) -> Int32 {
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    var left = timeoutMillis
    while true {
      let rc = poll(&pfd, 1, left)
      if rc >= 0 || Syscall.lastError.rawValue != EINTR { return rc }
      var now = timespec()
      clock_gettime(CLOCK_MONOTONIC, &now)
      let spent = Int64(now.tv_sec - start.tv_sec) * 1000 + Int64(now.tv_nsec - start.tv_nsec) / 1_000_000
      left = Int32(clamping: max(0, Int64(timeoutMillis) - spent))
    }
  }
}
