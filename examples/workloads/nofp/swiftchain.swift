// swiftchain: optimized Swift (swiftc -O, no frame pointers needed) with a generic
// specialization and closures; samples' stacks must reach main. About 0.5 s.
@inline(never) func spin(_ n: Int, _ seed: UInt64) -> UInt64 {
  var x = seed | 1
  for _ in 0..<n {
    x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    x ^= x >> 29
  }
  return x
}
struct Worker<T: FixedWidthInteger> {
  var seed: T
  @inline(never) func run(_ rounds: Int) -> UInt64 {
    var acc: UInt64 = 0
    for r in 0..<rounds {
      acc &+= [1, 2, 3].map { spin(400_000, UInt64($0 + r) &+ UInt64(truncatingIfNeeded: seed)) }.reduce(0, &+)
    }
    return acc
  }
}
@inline(never) func drive(_ body: (Int) -> UInt64) -> UInt64 { body(300) }
let total = drive { Worker<UInt32>(seed: 7).run($0) }
print("swiftchain done \(total & 0xff)")
