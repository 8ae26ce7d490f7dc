import ArgumentParser
import Capture
import Foundation
import Web

/// `serve [FILE…] [--port N] [--listen ADDR] [--open]`, `serve stop`: the sessions in a browser.
struct ServeCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the sessions as web pages (top, heatmap, flame graph, list, peek, compare) on loopback.",
    discussion: """
      The server runs beside the prompt; the URL it prints carries a random token, and
      requests without it get 403. It binds 127.0.0.1 unless --listen names another
      address (with a warning: anyone who can reach it and learns the URL reads the
      sessions). Files given are loaded first. Outside the interactive shell (perfsh
      serve FILE…, scripts) serve keeps running until Ctrl-C or SIGTERM, unless
      --detach lets a script go on (e.g. to run a program while the pages show it live).

      EXAMPLES:
        serve
        serve --port 8081 --open
        serve stop
        perfsh -c 'serve --detach; run ./build/parser big.yaml; !sleep 60'
        perfsh serve cpu.pb.gz old.perfsh
      """)
  static var shell: CommandSpec { CommandSpec(group: .export, arguments: [.file]) }

  @Argument(help: "Files to load first, or 'stop'.")
  var files: [String] = []

  @Option(help: "TCP port; 0 picks a free one.")
  var port: Int = 8080

  @Option(help: "Address to bind; anything but loopback prints a warning.")
  var listen: String = "127.0.0.1"

  @Flag(help: "Open the URL in a browser (xdg-open).")
  var open = false

  @Flag(help: "In a script, go on with the next command while serving (the server ends with perfsh).")
  var detach = false

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    if files == ["stop"] {
      guard let serving = context.serving else { throw .command(.serverNotRunning) }
      serving.server.stop()
      context.serving = nil
      context.out.write("stopped serving \(serving.server.url)\n")
      return .success
    }
    if let serving = context.serving {
      throw .command(.alreadyServing(url: "\(serving.server.url)"))
    }
    guard (0...65535).contains(port) else {
      throw .command(.optionOutOfRange(command: nil, option: "--port", expected: "0…65535", value: port))
    }
    for file in files { _ = try CommandExecutor.run(words: ["load", file], in: context) }
    if !["127.0.0.1", "localhost", "::1"].contains(listen) {
      context.warn(
        "serving on \(listen), not loopback: anyone who can reach it and has the URL (with its token) can read every session"
      )
    }
    let box = WebSessionBox()
    let router = WebRouter(token: WebRouter.randomToken(), source: box, sourceLines: { SourceFiles.lines(of: $0) })
    let server: WebServer
    do {
      server = try WebServer.start(router: router, host: listen, port: port)
    } catch {
      throw .command(.serverFailed(reason: error.message))
    }
    let serving = ServeState(server: server, box: box)
    serving.publish(context.sessions, settings: context.settings)
    context.serving = serving
    context.out.write("serving \(context.sessions.sessions.count) session(s) at \(server.url)\n")
    context.flush()
    if open { openBrowser(server.url, context: context) }
    if !context.isInteractive && !detach { waitForSignal(context: context) }
    return .success
  }

  /// Outside the prompt nothing else keeps perfsh alive: serve until SIGINT, SIGTERM or SIGHUP.
  private func waitForSignal(context: ShellContext) {
    context.err.write("serving until Ctrl-C\n")
    context.flush()
    do {
      let relay = try SignalRelay()
      while relay.pending().isEmpty { Thread.sleep(forTimeInterval: 0.1) }
    } catch {
      context.warn("cannot catch signals (\(error)); serving until killed")
      context.serving?.server.wait()
    }
    context.serving?.server.stop()
    context.serving = nil
  }

  private func openBrowser(_ url: String, context: ShellContext) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["xdg-open", url]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { context.warn("--open: cannot run xdg-open (\(error)); open \(url) yourself") }
  }
}
