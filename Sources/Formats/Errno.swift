#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The C library's message for `errno`, lower-cased at the start like the rest of perfsh's errors.
func errnoText(_ code: Int32) -> String {
  guard let cString = strerror(code) else { return "errno \(code)" }
  let text = String(cString: cString)
  guard let first = text.first else { return "errno \(code)" }
  return first.lowercased() + text.dropFirst()
}
