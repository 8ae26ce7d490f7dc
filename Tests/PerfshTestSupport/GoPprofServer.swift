import Foundation

/// A real Go program serving `net/http/pprof` on 127.0.0.1, for `load URL` and
/// `run --pprof-endpoint` tests. It burns CPU in `main.burn`, keeps 1,000 × 64 B and
/// 1,000 × 4 KiB allocations (every allocation sampled), parks 10 goroutines in
/// `main.parked`, and makes `main.contend` fight for a mutex (mutex and block profiles on).
/// Arguments: PORT (0 picks one) and SECONDS to live (0: until killed). It prints `port N`.
public enum GoPprofServer {
  /// The program's source.
  public static let source = """
    package main

    import (
    \t"fmt"
    \t"net"
    \t"net/http"
    \t_ "net/http/pprof"
    \t"os"
    \t"runtime"
    \t"strconv"
    \t"sync"
    \t"time"
    )

    var keep [][]byte
    var sink uint64

    //go:noinline
    func small() { keep = append(keep, make([]byte, 64)) }

    //go:noinline
    func large() { keep = append(keep, make([]byte, 4096)) }

    //go:noinline
    func burn() {
    \tx := sink
    \tfor {
    \t\tfor i := 0; i < 1000000; i++ {
    \t\t\tx = x*6364136223846793005 + 1442695040888963407
    \t\t}
    \t\tsink = x
    \t}
    }

    //go:noinline
    func parked(ch chan int) { <-ch }

    //go:noinline
    func contend(mu *sync.Mutex, wg *sync.WaitGroup) {
    \tdefer wg.Done()
    \tfor i := 0; i < 200; i++ {
    \t\tmu.Lock()
    \t\ttime.Sleep(50 * time.Microsecond)
    \t\tmu.Unlock()
    \t}
    }

    func main() {
    \tport, _ := strconv.Atoi(os.Args[1])
    \tlife, _ := strconv.Atoi(os.Args[2])
    \truntime.MemProfileRate = 1
    \truntime.SetMutexProfileFraction(1)
    \truntime.SetBlockProfileRate(1)
    \tfor i := 0; i < 1000; i++ {
    \t\tsmall()
    \t\tlarge()
    \t}
    \tvar mu sync.Mutex
    \tvar wg sync.WaitGroup
    \tfor i := 0; i < 4; i++ {
    \t\twg.Add(1)
    \t\tgo contend(&mu, &wg)
    \t}
    \twg.Wait()
    \tch := make(chan int)
    \tfor i := 0; i < 10; i++ {
    \t\tgo parked(ch)
    \t}
    \truntime.GC()
    \tln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
    \tif err != nil {
    \t\tfmt.Fprintln(os.Stderr, err)
    \t\tos.Exit(1)
    \t}
    \tfmt.Printf("port %d\\n", ln.Addr().(*net.TCPAddr).Port)
    \tgo burn()
    \tif life > 0 {
    \t\tgo func() {
    \t\t\ttime.Sleep(time.Duration(life) * time.Second)
    \t\t\tos.Exit(0)
    \t\t}()
    \t}
    \thttp.Serve(ln, nil)
    }

    """

  private static let built: Result<String, GoToolchain.Failure> = {
    guard let go = GoToolchain.goPath else {
      return .failure(GoToolchain.Failure(command: ["go"], status: 127, stderr: "go is not installed"))
    }
    do {
      let dir = try GoToolchain.temporaryDirectory("go-pprof-server")
      try source.write(to: dir.appendingPathComponent("main.go"), atomically: true, encoding: .utf8)
      let binary = dir.appendingPathComponent("pprofserver")
      try GoToolchain.run([go, "build", "-o", binary.path, "main.go"], in: dir)
      return .success(binary.path)
    } catch let failure as GoToolchain.Failure {
      return .failure(failure)
    } catch {
      return .failure(GoToolchain.Failure(command: ["go", "build"], status: 1, stderr: "\(error)"))
    }
  }()

  /// Path of the built program (built once per test process).
  public static func binary() throws -> String { try built.get() }

  /// A running server; `stop()` (or deinit) kills it.
  public final class Running {
    /// The process.
    public let process: Process
    /// The port it listens on.
    public let port: Int
    init(process: Process, port: Int) {
      self.process = process
      self.port = port
    }
    /// `http://127.0.0.1:PORT/debug/pprof/NAME`.
    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/debug/pprof/\(name)" }
    /// Kills the server and waits for it.
    public func stop() {
      if process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
    deinit { stop() }
  }

  /// Starts the server on a port of its choosing and waits for its `port N` line.
  public static func start() throws -> Running {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try binary())
    process.arguments = ["0", "0"]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    var line = Data()
    let handle = out.fileHandleForReading
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = handle.availableData
      if chunk.isEmpty { break }
      line.append(chunk)
    }
    let text = String(decoding: line, as: UTF8.self)
    guard text.hasPrefix("port "), let port = Int(text.dropFirst(5).prefix { $0.isNumber }) else {
      process.terminate()
      throw GoToolchain.Failure(command: ["pprofserver"], status: 1, stderr: "no port line: \(text)")
    }
    return Running(process: process, port: port)
  }

  /// A TCP port that was free a moment ago (bound to port 0 and closed), for a server started later.
  public static func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}
