/// Go's `filepath.Clean` for Unix paths: pprof cleans every file name before it names a node,
/// so `./src/a.c` and `src/a.c` are one file.
func cleanPath(_ path: String) -> String {
  let p = Array(path.utf8)
  let n = p.count
  if n == 0 { return "." }
  let slash = UInt8(ascii: "/")
  let dot = UInt8(ascii: ".")
  let rooted = p[0] == slash
  var out: [UInt8] = []
  out.reserveCapacity(n)
  var r = 0
  var dotdot = 0
  if rooted {
    out.append(slash)
    r = 1
    dotdot = 1
  }
  while r < n {
    if p[r] == slash {
      r += 1
    } else if p[r] == dot && (r + 1 == n || p[r + 1] == slash) {
      r += 1
    } else if p[r] == dot && r + 1 < n && p[r + 1] == dot && (r + 2 == n || p[r + 2] == slash) {
      r += 2
      if out.count > dotdot {
        var w = out.count - 1
        while w > dotdot && out[w] != slash { w -= 1 }
        out.removeLast(out.count - w)
      } else if !rooted {
        if !out.isEmpty { out.append(slash) }
        out.append(dot)
        out.append(dot)
        dotdot = out.count
      }
    } else {
      if (rooted && out.count != 1) || (!rooted && !out.isEmpty) { out.append(slash) }
      while r < n && p[r] != slash {
        out.append(p[r])
        r += 1
      }
    }
  }
  if out.isEmpty { return "." }
  return String(decoding: out, as: UTF8.self)
}
