/// Runs `body` on the raw bytes of an array, keeping `body`'s typed error
/// (the standard library's `withUnsafeBytes` only rethrows untyped errors).
@inline(__always)
func withRawBytes<R, E: Error>(
  _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R
) throws(E) -> R {
  let result = bytes.withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }
  return try result.get()
}
